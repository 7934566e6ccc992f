resource "aws_db_instance" "db" {
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  storage_encrypted = false # want FERRY-AWS-016
}

resource "aws_db_instance" "default" { # want FERRY-AWS-016
  engine         = "mysql"
  instance_class = "db.t3.micro"
}
