locals {
  a   = 1
  bcd = 2
}
