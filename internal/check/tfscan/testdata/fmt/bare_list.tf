variable "a" {
  type = list
}
