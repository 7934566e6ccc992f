rotation = false
