using Drover.Api.V1Alpha1;

namespace Drover.Api.Access;

/// <summary>Whether an agent in one namespace may use a ModelProvider (and so receive its key): <c>spec.allowedNamespaces</c>.</summary>
public static class NamespaceAccess
{
    /// <param name="provider">The provider.</param>
    /// <param name="consumerNamespace">The namespace of the agent that refers to it.</param>
    /// <param name="consumerNamespaceLabels">That namespace's labels; null when unknown, which only <c>Same</c> and <c>All</c> can allow.</param>
    public static bool Allows(ModelProvider provider, string consumerNamespace, IReadOnlyDictionary<string, string>? consumerNamespaceLabels)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (provider.Metadata.NamespaceProperty == consumerNamespace)
        {
            return true;
        }

        var allowed = provider.Spec.AllowedNamespaces;
        return (allowed?.From ?? NamespacesFrom.Same) switch
        {
            NamespacesFrom.All => true,
            NamespacesFrom.Selector => allowed?.Selector is { } selector
                && consumerNamespaceLabels is not null
                && LabelSelectorMatcher.Matches(selector, consumerNamespaceLabels),
            _ => false,
        };
    }

    /// <summary>How the provider chooses namespaces, in words, for messages.</summary>
    public static string Describe(ModelProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var allowed = provider.Spec.AllowedNamespaces;
        return (allowed?.From ?? NamespacesFrom.Same) switch
        {
            NamespacesFrom.All => "allowedNamespaces.from: All",
            NamespacesFrom.Selector => "allowedNamespaces.from: Selector, and this namespace's labels do not match its selector",
            _ => "allowedNamespaces.from: Same, so only its own namespace may use it",
        };
    }
}
