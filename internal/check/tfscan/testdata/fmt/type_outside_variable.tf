resource "x" "y" {
  type = "string"
}
