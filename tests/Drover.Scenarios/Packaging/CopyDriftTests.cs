using Drover.Operator.Cluster;

namespace Drover.Scenarios.Packaging;

/// <summary>
/// Helm and kustomize cannot read files outside their own folder, so the chart and config/ carry copies
/// of the generated CRDs and of the RBAC rules. Are those copies still byte-identical to their sources?
/// </summary>
public sealed class CopyDriftTests
{
    public static TheoryData<string> CrdFiles() =>
        [.. Directory.GetFiles(RepositoryLayout.Crds, "*.yaml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(CrdFiles))]
    public void Chart_crd_equals_the_generated_crd(string file) =>
        AssertSameBytes(Path.Combine(RepositoryLayout.Crds, file), Path.Combine(RepositoryLayout.Chart, "crds", file));

    [Theory]
    [MemberData(nameof(CrdFiles))]
    public void Kustomize_crd_equals_the_generated_crd(string file) =>
        AssertSameBytes(Path.Combine(RepositoryLayout.Crds, file), Path.Combine(RepositoryLayout.Config, "crd", "bases", file));

    [Fact]
    public void Chart_and_kustomize_carry_no_crd_that_is_not_generated()
    {
        var generated = Names(RepositoryLayout.Crds);

        Assert.Equal(3, generated.Count);
        Assert.Equal(generated, Names(Path.Combine(RepositoryLayout.Chart, "crds")));
        Assert.Equal(generated, Names(Path.Combine(RepositoryLayout.Config, "crd", "bases")));
    }

    [Theory]
    [InlineData("role.yaml")]
    [InlineData("leader_election_role.yaml")]
    public void Chart_rbac_rules_equal_config_rbac(string file) =>
        AssertSameBytes(Path.Combine(RepositoryLayout.Config, "rbac", file), Path.Combine(RepositoryLayout.Chart, "files", "rbac", file));

    [Fact]
    public void Config_rbac_is_what_the_operator_code_uses()
    {
        // Generated from the informers, child kinds and status writes; a new watch or child without `make manifests` fails here.
        Assert.True(
            OperatorPermissions.RoleYaml() == File.ReadAllText(Path.Combine(RepositoryLayout.Config, "rbac", "role.yaml")),
            "config/rbac/role.yaml is not what `drover rbac` prints for this code; run make manifests");
        Assert.True(
            OperatorPermissions.OwnNamespaceRoleYaml() == File.ReadAllText(Path.Combine(RepositoryLayout.Config, "rbac", "leader_election_role.yaml")),
            "config/rbac/leader_election_role.yaml is not what `drover rbac` prints for this code; run make manifests");
    }

    private static List<string> Names(string directory) =>
        [.. Directory.GetFiles(directory, "*.yaml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    private static void AssertSameBytes(string source, string copy)
    {
        Assert.True(File.Exists(copy), $"{copy} is missing; copy it from {source}");
        Assert.True(
            File.ReadAllBytes(source).AsSpan().SequenceEqual(File.ReadAllBytes(copy)),
            $"{Path.GetRelativePath(RepositoryLayout.Root, copy)} differs from {Path.GetRelativePath(RepositoryLayout.Root, source)}; copy it again");
    }
}
