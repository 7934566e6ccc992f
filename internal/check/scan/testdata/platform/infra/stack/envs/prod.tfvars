name = "prod"
