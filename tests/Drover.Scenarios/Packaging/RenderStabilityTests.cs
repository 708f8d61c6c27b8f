namespace Drover.Scenarios.Packaging;

/// <summary>
/// Is every render deterministic? GitOps tools diff renders; output that changes between two runs with
/// the same input shows up as drift forever.
/// </summary>
public sealed class RenderStabilityTests
{
    [PackagingFact(PackagingTool.Helm)]
    public void Chart_default_render_is_byte_identical_twice() =>
        Assert.Equal(ToolRun.HelmTemplate("--include-crds"), ToolRun.HelmTemplate("--include-crds"));

    [PackagingFact(PackagingTool.Helm)]
    public void Chart_every_option_render_is_byte_identical_twice()
    {
        string Render() => ToolRun.HelmTemplate("--values", RepositoryLayout.EveryOptionValues);

        var first = Render();
        Assert.Contains("kind: ServiceMonitor", first);
        Assert.Equal(first, Render());
    }

    [PackagingFact(PackagingTool.Helm)]
    public void Watched_namespaces_render_in_the_same_order_however_they_are_listed()
    {
        var ab = ToolRun.HelmTemplate("--set", "watchNamespaces={team-a,team-b}");
        var ba = ToolRun.HelmTemplate("--set", "watchNamespaces={team-b,team-a,team-b}");

        Assert.Equal(ab, ba);
    }

    [PackagingFact(PackagingTool.Kubectl)]
    public void Kustomize_default_render_is_byte_identical_twice() =>
        Assert.Equal(ToolRun.Kustomize("default"), ToolRun.Kustomize("default"));
}
