resource "aws_rds_cluster" "c" { # want FERRY-AWS-017
  engine = "aurora-postgresql"
}
