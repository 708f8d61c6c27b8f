using Drover.Tests.Support;

namespace Drover.CrdGen.Tests;

public class DriftTests
{
    [Fact]
    public void Checked_in_crds_are_what_the_types_generate()
    {
        var differences = ManifestCheck.Differences(CrdGenerator.Generate(), Repository.CrdDirectory);
        Assert.True(differences.Count == 0,
            "crds/ is out of date with the C# types; run `make manifests` and commit the result.\n" + string.Join("\n", differences));
    }

    [Fact]
    public void Generation_is_deterministic()
    {
        var first = CrdGenerator.Generate();
        var second = CrdGenerator.Generate();
        Assert.Equal(first, second);
        Assert.Equal(["drover.dev_agents.yaml", "drover.dev_modelproviders.yaml", "drover.dev_schedules.yaml"], first.Select(f => f.FileName));
    }

    [Fact]
    public void Check_reports_a_stale_and_a_missing_file()
    {
        var dir = Directory.CreateTempSubdirectory("drover-crds-").FullName;
        try
        {
            var files = CrdGenerator.Generate();
            File.WriteAllText(Path.Combine(dir, files[0].FileName), files[0].Content.Replace("minimum: 0", "minimum: 1", StringComparison.Ordinal));
            File.WriteAllText(Path.Combine(dir, files[1].FileName), files[1].Content);

            var differences = ManifestCheck.Differences(files, dir);

            Assert.Equal(2, differences.Count);
            Assert.StartsWith("drover.dev_agents.yaml: differs from line ", differences[0], StringComparison.Ordinal);
            Assert.Contains("expected `minimum: 0`, found `minimum: 1`", differences[0], StringComparison.Ordinal);
            Assert.Equal("drover.dev_schedules.yaml: missing", differences[1]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
