module "bucket" {
  source = "./bucket"
  name   = "example-data"
}

# The access block lives in another module and names the bucket through
# the first module's output: the bucket is protected, so FERRY-AWS-005
# stays silent, and the block's own settings are checked.
module "guard" {
  source    = "./guard"
  bucket_id = module.bucket.id
}

# A second bucket has no access block: the guard above is linked to the
# first bucket through the output's references, so only this one is reported.
module "other" {
  source = "./bucket"
  name   = "example-other"
}

# Known output values flow back to the caller.
resource "aws_kms_key" "k" {
  description         = module.bucket.name
  enable_key_rotation = module.bucket.name != "example-data" # want FERRY-AWS-022
}
