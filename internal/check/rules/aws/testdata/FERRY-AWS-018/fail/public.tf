resource "aws_db_instance" "db" {
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  storage_encrypted   = true
  publicly_accessible = true # want FERRY-AWS-018
}

resource "aws_rds_cluster_instance" "i" {
  cluster_identifier  = "c1"
  instance_class      = "db.r6g.large"
  engine              = "aurora-postgresql"
  publicly_accessible = true # want FERRY-AWS-018
}
