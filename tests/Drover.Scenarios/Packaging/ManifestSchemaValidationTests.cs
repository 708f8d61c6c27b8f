namespace Drover.Scenarios.Packaging;

/// <summary>
/// Would the API server accept every object we ship? Each render goes through hack/validate-manifests.mjs,
/// which checks built-in kinds against the official Kubernetes schemas (kubernetes-models), ServiceMonitors
/// against the Prometheus Operator's, and drover.dev objects against our CRDs.
/// </summary>
public sealed class ManifestSchemaValidationTests
{
    private const PackagingTool HelmAndValidator = PackagingTool.Helm | PackagingTool.Validator;

    private static void AssertAllValid(string manifests, params string[] mustContain)
    {
        var objects = RenderedManifests.Parse(manifests).Objects;
        var result = ToolRun.Validate(manifests);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains($"{objects.Count} objects, 0 invalid", result.StandardOutput);
        foreach (var line in mustContain)
        {
            Assert.Contains(line, result.StandardOutput);
        }
    }

    [PackagingFact(HelmAndValidator)]
    public void Default_chart_render_with_crds_is_valid() =>
        AssertAllValid(
            ToolRun.HelmTemplate("--include-crds"),
            "ok      CustomResourceDefinition agents.drover.dev",
            "ok      Deployment drover-system/drover (apps/v1)",
            "ok      ClusterRole drover (rbac.authorization.k8s.io/v1)");

    [PackagingFact(HelmAndValidator)]
    public void Every_option_chart_render_is_valid_including_service_monitor_and_providers() =>
        AssertAllValid(
            ToolRun.HelmTemplate("--include-crds", "--values", RepositoryLayout.EveryOptionValues),
            "ok      ServiceMonitor drover-system/agent-operator (monitoring.coreos.com/v1)",
            "ok      PodDisruptionBudget drover-system/agent-operator (policy/v1)",
            "ok      ModelProvider drover-system/local-vllm (drover.dev/v1alpha1)",
            "ok      Role team-a/agent-operator (rbac.authorization.k8s.io/v1)");

    [PackagingFact(PackagingTool.Kubectl | PackagingTool.Validator)]
    public void Kustomize_default_install_is_valid() =>
        AssertAllValid(
            ToolRun.Kustomize("default"),
            "ok      Namespace drover-system (v1)",
            "ok      Deployment drover-system/drover (apps/v1)");

    [PackagingFact(PackagingTool.Validator)]
    public void The_validator_rejects_objects_the_api_server_would_reject()
    {
        const string broken = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: broken
            spec:
              replicas: two
              selector: {}
              template: {}
            ---
            apiVersion: drover.dev/v1alpha1
            kind: ModelProvider
            metadata:
              name: bogus
            spec:
              type: Llama
            ---
            apiVersion: monitoring.coreos.com/v1
            kind: ServiceMonitor
            metadata:
              name: no-selector
            spec:
              endpoints: [{port: metrics}]
            ---
            apiVersion: example.com/v1
            kind: Unknown
            metadata:
              name: mystery
            """;

        var result = ToolRun.Validate(broken);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("INVALID Deployment broken (apps/v1)", result.StandardOutput);
        Assert.Contains("data/spec/replicas must be integer", result.StandardOutput);
        Assert.Contains("INVALID ModelProvider bogus (drover.dev/v1alpha1)", result.StandardOutput);
        Assert.Contains("/spec/type must be equal to one of the allowed values", result.StandardOutput);
        Assert.Contains("INVALID ServiceMonitor no-selector", result.StandardOutput);
        Assert.Contains("no schema known for example.com/v1 Unknown", result.StandardOutput);
        Assert.Contains("4 objects, 4 invalid", result.StandardOutput);
    }

    [PackagingFact(PackagingTool.Validator)]
    public void The_validator_rejects_duplicate_objects_and_empty_input()
    {
        const string service = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: twice\n  namespace: a\n";

        var duplicate = ToolRun.Validate(service + "---\n" + service);
        var empty = ToolRun.Validate("---\n");

        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("duplicate object", duplicate.StandardOutput);
        Assert.Equal(1, empty.ExitCode);
        Assert.Contains("0 objects, 0 invalid", empty.StandardOutput);
    }
}
