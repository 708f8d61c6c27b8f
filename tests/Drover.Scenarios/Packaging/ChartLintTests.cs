namespace Drover.Scenarios.Packaging;

/// <summary>Does the chart pass helm's strictest lint, with defaults and with every option set?</summary>
public sealed class ChartLintTests
{
    [PackagingFact(PackagingTool.Helm)]
    public void Strict_lint_passes_with_default_values()
    {
        var lint = ToolRun.Helm("lint", "--strict", RepositoryLayout.Chart);

        Assert.True(lint.ExitCode == 0, lint.Describe());
        Assert.Contains("1 chart(s) linted, 0 chart(s) failed", lint.StandardOutput);
        Assert.DoesNotContain("[WARNING]", lint.StandardOutput);
        Assert.DoesNotContain("[ERROR]", lint.StandardOutput);
    }

    [PackagingFact(PackagingTool.Helm)]
    public void Strict_lint_passes_with_every_option_set()
    {
        var lint = ToolRun.Helm("lint", "--strict", RepositoryLayout.Chart, "--values", RepositoryLayout.EveryOptionValues);

        Assert.True(lint.ExitCode == 0, lint.Describe());
        Assert.DoesNotContain("[WARNING]", lint.StandardOutput);
    }

    [PackagingFact(PackagingTool.Helm)]
    public void Chart_metadata_declares_version_app_version_and_minimum_kubernetes()
    {
        var chart = RenderedManifests.Parse(ToolRun.Helm("show", "chart", RepositoryLayout.Chart).Succeeded()).Objects.Single();

        Assert.Equal("v2", (string?)chart["apiVersion"]);
        Assert.Equal("drover", (string?)chart["name"]);
        Assert.Equal("0.1.0", (string?)chart["version"]);
        Assert.Equal("0.1.0", (string?)chart["appVersion"]);
        Assert.Equal(">=1.27.0-0", (string?)chart["kubeVersion"]);
    }
}
