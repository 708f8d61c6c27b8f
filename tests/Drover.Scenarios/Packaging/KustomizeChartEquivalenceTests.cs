using System.Text.Json.Nodes;

namespace Drover.Scenarios.Packaging;

/// <summary>
/// Does `kubectl apply -k config/default` install the same operator as
/// `helm install drover charts/drover -n drover-system --create-namespace`? Same objects, same names,
/// same permissions, same pod. Labels may differ (Helm adds its own); the Namespace is the one object
/// only kustomize creates, because Helm's --create-namespace does that job.
/// </summary>
public sealed class KustomizeChartEquivalenceTests
{
    private const PackagingTool HelmAndKubectl = PackagingTool.Helm | PackagingTool.Kubectl;

    private static (RenderedManifests Helm, RenderedManifests Kustomize) Renders() =>
        (RenderedManifests.Parse(ToolRun.HelmTemplate("--include-crds")),
         RenderedManifests.Parse(ToolRun.Kustomize("default")));

    [PackagingFact(HelmAndKubectl)]
    public void Both_installs_create_the_same_objects()
    {
        var (helm, kustomize) = Renders();

        var helmObjects = helm.Objects.Select(RenderedManifests.Identity).Order(StringComparer.Ordinal).ToList();
        var kustomizeObjects = kustomize.Objects.Where(o => (string?)o["kind"] != "Namespace")
            .Select(RenderedManifests.Identity).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(helmObjects, kustomizeObjects);
        Assert.Equal("drover-system", (string?)kustomize.Single("Namespace", "drover-system")["metadata"]!["name"]);
        Assert.Contains("Deployment/drover-system/drover", helmObjects);
        Assert.Contains("ClusterRole//drover", helmObjects);
        Assert.Contains("Role/drover-system/drover-leader-election", helmObjects);
    }

    [PackagingFact(HelmAndKubectl)]
    public void Both_installs_grant_the_same_permissions_to_the_same_subject()
    {
        var (helm, kustomize) = Renders();

        foreach (var kind in new[] { "ClusterRole", "Role" })
        {
            foreach (var role in helm.OfKind(kind))
            {
                var name = (string)role["metadata"]!["name"]!;
                var twin = kustomize.Single(kind, name);
                Assert.True(JsonNode.DeepEquals(role["rules"], twin["rules"]), $"{kind} {name} rules differ:\n{role["rules"]}\n{twin["rules"]}");
            }
        }
        foreach (var kind in new[] { "ClusterRoleBinding", "RoleBinding" })
        {
            foreach (var binding in helm.OfKind(kind))
            {
                var name = (string)binding["metadata"]!["name"]!;
                var twin = kustomize.Single(kind, name);
                Assert.True(JsonNode.DeepEquals(binding["roleRef"], twin["roleRef"]), $"{kind} {name} roleRef differs");
                Assert.True(JsonNode.DeepEquals(binding["subjects"], twin["subjects"]), $"{kind} {name} subjects differ:\n{binding["subjects"]}\n{twin["subjects"]}");
            }
        }
    }

    [PackagingFact(HelmAndKubectl)]
    public void Both_installs_run_the_same_operator_pod()
    {
        var (helm, kustomize) = Renders();
        var helmDeployment = helm.Single("Deployment", "drover");
        var kustomizeDeployment = kustomize.Single("Deployment", "drover");

        Assert.Equal(
            (string?)RenderedManifests.Manager(helmDeployment)["image"],
            (string?)RenderedManifests.Manager(kustomizeDeployment)["image"]);
        foreach (var path in new[] { "replicas", "selector", "template" })
        {
            var ours = helmDeployment["spec"]![path];
            var theirs = kustomizeDeployment["spec"]![path];
            Assert.True(JsonNode.DeepEquals(ours, theirs), $"Deployment spec.{path} differs:\nhelm: {ours}\nkustomize: {theirs}");
        }
        Assert.True(JsonNode.DeepEquals(
            helm.Single("Service", "drover-metrics")["spec"], kustomize.Single("Service", "drover-metrics")["spec"]));
    }

    [PackagingFact(HelmAndKubectl)]
    public void Both_installs_ship_the_same_crds()
    {
        var (helm, kustomize) = Renders();

        foreach (var crd in helm.OfKind("CustomResourceDefinition"))
        {
            var twin = kustomize.Single("CustomResourceDefinition", (string)crd["metadata"]!["name"]!);
            Assert.True(JsonNode.DeepEquals(crd["spec"], twin["spec"]));
        }
        Assert.Equal(3, helm.OfKind("CustomResourceDefinition").Count());
    }

    [PackagingFact(PackagingTool.Kubectl)]
    public void The_default_install_does_not_include_the_samples()
    {
        var kustomize = RenderedManifests.Parse(ToolRun.Kustomize("default"));

        Assert.DoesNotContain(kustomize.Objects, o => ((string?)o["apiVersion"])?.StartsWith("drover.dev/", StringComparison.Ordinal) == true);
        Assert.DoesNotContain(kustomize.Objects, o => (string?)o["kind"] == "Secret");
    }
}
