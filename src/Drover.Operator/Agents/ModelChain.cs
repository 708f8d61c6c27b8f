using Drover.Api.V1Alpha1;
using Drover.Operator.ModelProviders;

namespace Drover.Operator.Agents;

/// <summary>An agent's models after resolution: the primary first, then the fallbacks in order.</summary>
internal sealed class ModelChain
{
    public ModelChain(ChainedModel primary, IReadOnlyList<ChainedModel> fallbacks, ModelParameters? parameters)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(fallbacks);
        Primary = primary;
        Fallbacks = fallbacks;
        Parameters = parameters;
    }

    public ChainedModel Primary { get; }

    public IReadOnlyList<ChainedModel> Fallbacks { get; }

    public ModelParameters? Parameters { get; }

    /// <summary>The primary, then the fallbacks.</summary>
    public IEnumerable<ChainedModel> All => [Primary, .. Fallbacks];

    /// <summary>Each provider once, in chain order: the providers whose keys and egress the agent needs.</summary>
    public IReadOnlyList<ResolvedProvider> Providers =>
        [.. All.Select(m => m.Provider).DistinctBy(p => (p.Namespace, p.Name))];

    /// <summary>The chain as <c>status.model</c> shows it.</summary>
    public ResolvedModelChain ToStatus() => new()
    {
        Primary = Primary.ToStatus(),
        Fallbacks = Fallbacks.Count == 0 ? null : [.. Fallbacks.Select(f => f.ToStatus())],
    };
}

/// <summary>One model of a chain with its provider resolved.</summary>
/// <param name="Field">Where the model is set in the Agent, for example spec.model.fallbacks[0].</param>
/// <param name="Provider">The ready provider serving the model.</param>
/// <param name="Model">The model name (the provider's defaultModel when the agent names none).</param>
internal sealed record ChainedModel(string Field, ResolvedProvider Provider, string Model)
{
    public string Endpoint => Provider.Endpoint ?? "";

    public string ProviderType => Provider.Type;

    public ResolvedModel ToStatus() => new()
    {
        Provider = $"{Provider.Namespace}/{Provider.Name}",
        ProviderType = Provider.Type,
        Model = Model,
        Endpoint = Provider.Endpoint,
    };
}
