name = "one"
