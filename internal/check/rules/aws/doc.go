// Package aws holds ferry's built-in Terraform rules for AWS resources
// (FERRY-AWS-*): S3, security groups, IAM, EBS/EC2, RDS, CloudTrail, KMS,
// VPC flow logs and EKS. Each rule reads the evaluated configuration from
// tfmodel and reports only what known values show; unknown values never
// produce a finding. It does not load HCL or apply suppressions.
package aws
