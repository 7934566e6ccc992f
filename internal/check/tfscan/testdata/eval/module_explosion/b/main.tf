module "c" {
  count  = 1000
  source = "../c" # want FERRY-TF-003
}
