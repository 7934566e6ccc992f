resource "aws_db_instance" "db" {
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  storage_encrypted = true
}

resource "aws_db_instance" "replica" {
  instance_class      = "db.t3.micro"
  replicate_source_db = aws_db_instance.db.identifier
}

resource "aws_db_instance" "aurora_member" {
  engine             = "aurora-postgresql"
  instance_class     = "db.r6g.large"
  cluster_identifier = "c1"
}
