resource "aws_launch_template" "lt" {
  name = "nodes"
  metadata_options {
    http_tokens = "required"
  }
}

resource "aws_launch_template" "off" {
  name = "no-imds"
  metadata_options {
    http_endpoint = "disabled"
  }
}
