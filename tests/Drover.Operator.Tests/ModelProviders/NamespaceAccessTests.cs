using Drover.Api.Access;
using Drover.Operator.Tests.TestSupport;

namespace Drover.Operator.Tests.ModelProviders;

public sealed class NamespaceAccessTests
{
    private static Api.V1Alpha1.ModelProvider Provider(string allowed) => Manifests.Cluster($$"""
        apiVersion: drover.dev/v1alpha1
        kind: ModelProvider
        metadata: {name: shared, namespace: models}
        spec: {type: Ollama, endpoint: "http://ollama.models.svc:11434", allowedNamespaces: {{allowed}}}
        """).ModelProviders.Single();

    private static readonly Dictionary<string, string> TeamLabels = new() { ["tier"] = "gold", ["kubernetes.io/metadata.name"] = "team-a" };

    [Fact]
    public void Same_allows_only_the_providers_own_namespace()
    {
        var provider = Provider("{from: Same}");

        Assert.True(NamespaceAccess.Allows(provider, "models", null));
        Assert.False(NamespaceAccess.Allows(provider, "team-a", TeamLabels));
    }

    [Fact]
    public void All_allows_every_namespace()
    {
        Assert.True(NamespaceAccess.Allows(Provider("{from: All}"), "team-a", null));
    }

    [Fact]
    public void Selector_matches_labels_and_expressions_of_the_consuming_namespace()
    {
        var byLabel = Provider("{from: Selector, selector: {matchLabels: {tier: gold}}}");
        var byExpression = Provider("{from: Selector, selector: {matchExpressions: [{key: tier, operator: NotIn, values: [gold]}]}}");
        var byName = Provider("{from: Selector, selector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [team-a, team-b]}]}}");

        Assert.True(NamespaceAccess.Allows(byLabel, "team-a", TeamLabels));
        Assert.False(NamespaceAccess.Allows(byLabel, "team-b", new Dictionary<string, string> { ["tier"] = "silver" }));
        Assert.False(NamespaceAccess.Allows(byLabel, "team-a", null));
        Assert.False(NamespaceAccess.Allows(byExpression, "team-a", TeamLabels));
        Assert.True(NamespaceAccess.Allows(byExpression, "team-c", new Dictionary<string, string>()));
        Assert.True(NamespaceAccess.Allows(byName, "team-a", TeamLabels));
    }
}
