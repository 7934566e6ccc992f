name = "dev"
