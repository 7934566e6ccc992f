// Package tagging holds ferry's cloud compliance rules for Terraform
// (FERRY-CMP-001..049): required tags on taggable AWS and Azure resources
// (provider default_tags honoured), allowed AWS regions and Azure
// locations, and the resource naming pattern, all configured in ferry.yaml
// checks. It knows which resource types take tags. It does not own the
// commit, branch or secret compliance rules (check/scan's rules do).
package tagging
