package tagging

import (
	"strings"

	"ferry.dev/ferry/internal/check/tfscan/tfmodel"
)

// awsTaggable are AWS resource types that take a tags argument. Resources
// that set tags are taggable whatever their type; this list catches the
// common ones that leave tags out. Types without tags (policy attachments,
// rules, associations, S3 sub-resources) must not be here.
var awsTaggable = setOf(
	"aws_acm_certificate", "aws_ami", "aws_api_gateway_rest_api", "aws_apigatewayv2_api",
	"aws_appautoscaling_target", "aws_athena_workgroup", "aws_backup_plan", "aws_backup_vault",
	"aws_batch_compute_environment", "aws_cloudformation_stack", "aws_cloudfront_distribution",
	"aws_cloudtrail", "aws_cloudwatch_event_rule", "aws_cloudwatch_log_group", "aws_cloudwatch_metric_alarm",
	"aws_codebuild_project", "aws_codepipeline", "aws_cognito_user_pool", "aws_customer_gateway",
	"aws_db_instance", "aws_db_option_group", "aws_db_parameter_group", "aws_db_subnet_group",
	"aws_default_security_group", "aws_default_vpc", "aws_dms_replication_instance", "aws_docdb_cluster",
	"aws_dynamodb_table", "aws_ebs_snapshot", "aws_ebs_volume", "aws_ec2_transit_gateway",
	"aws_ecr_repository", "aws_ecs_cluster", "aws_ecs_service", "aws_ecs_task_definition",
	"aws_efs_file_system", "aws_egress_only_internet_gateway", "aws_eip", "aws_eks_cluster",
	"aws_eks_node_group", "aws_eks_fargate_profile", "aws_elasticache_cluster",
	"aws_elasticache_replication_group", "aws_elasticsearch_domain", "aws_elb", "aws_emr_cluster",
	"aws_flow_log", "aws_glue_job", "aws_guardduty_detector", "aws_iam_policy", "aws_iam_role",
	"aws_iam_user", "aws_iam_instance_profile", "aws_iam_openid_connect_provider", "aws_instance",
	"aws_internet_gateway", "aws_kinesis_firehose_delivery_stream", "aws_kinesis_stream", "aws_kms_key",
	"aws_lambda_function", "aws_launch_template", "aws_lb", "aws_alb", "aws_lb_listener",
	"aws_lb_target_group", "aws_alb_target_group", "aws_mq_broker", "aws_msk_cluster", "aws_nat_gateway",
	"aws_neptune_cluster", "aws_network_acl", "aws_network_interface", "aws_opensearch_domain",
	"aws_rds_cluster", "aws_rds_cluster_instance", "aws_redshift_cluster", "aws_route53_health_check",
	"aws_route53_zone", "aws_route_table", "aws_s3_bucket", "aws_sagemaker_notebook_instance",
	"aws_secretsmanager_secret", "aws_security_group", "aws_sfn_state_machine", "aws_sns_topic",
	"aws_sqs_queue", "aws_ssm_document", "aws_ssm_parameter", "aws_subnet", "aws_vpc",
	"aws_vpc_endpoint", "aws_vpc_peering_connection", "aws_vpn_connection", "aws_vpn_gateway",
	"aws_wafv2_web_acl", "aws_wafv2_ip_set",
)

func setOf(s ...string) map[string]bool {
	m := make(map[string]bool, len(s))
	for _, v := range s {
		m[v] = true
	}
	return m
}

// azureUntaggable are azurerm types that have a location but no tags.
var azureUntaggable = setOf("azurerm_policy_assignment", "azurerm_resource_group_policy_assignment",
	"azurerm_subscription_policy_assignment", "azurerm_management_group_policy_assignment",
	"azurerm_resource_policy_assignment")

// taggable reports whether a resource takes tags. Any resource that sets
// tags does; otherwise AWS types come from the list and azurerm resources
// are taggable when they have a location (every top-level ARM resource
// that has a location takes tags).
func taggable(r *tfmodel.Resource) bool {
	if r.Mode != tfmodel.Managed {
		return false
	}
	if r.Body.Attr("tags") != nil {
		return true
	}
	switch {
	case strings.HasPrefix(r.Type, "aws_"):
		return awsTaggable[r.Type]
	case strings.HasPrefix(r.Type, "azurerm_"):
		return r.Body.Attr("location") != nil && !azureUntaggable[r.Type]
	}
	return false
}
