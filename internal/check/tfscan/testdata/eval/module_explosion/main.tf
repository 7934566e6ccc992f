module "a" {
  count  = 1000
  source = "./a"
}
