using Drover.Api;
using Drover.Api.V1Alpha1;
using Drover.Api.Validation;
using Drover.Operator.Children;
using Drover.Operator.Resolution;
using Drover.Operator.Status;
using k8s.Models;

namespace Drover.Operator.ModelProviders;

/// <summary>
/// Resolves a ModelProvider: its base URL, its API key and header values from Secrets in its own namespace, a hash
/// of that material, and the Ready and CredentialsResolved conditions with a reason a user can act on.
/// </summary>
internal static class ModelProviderResolver
{
    public static ResolvedProvider Resolve(ModelProvider provider, IClusterLookup cluster)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(cluster);
        var defaulted = Defaults.Apply(provider);
        var spec = defaulted.Spec;
        var ns = defaulted.Metadata.NamespaceProperty ?? "";
        var endpoint = ProviderEndpoints.Resolve(defaulted);

        var material = new List<string>();
        var headerValues = new Dictionary<int, string>();
        string? apiKey = null;
        DesiredCondition? credentialFailure = null;
        foreach (var use in ProviderReferences.SecretKeys(defaulted))
        {
            if (!TryRead(defaulted, use, name => cluster.Secret(ns, name), out var value, out var failure))
            {
                credentialFailure ??= failure;
                continue;
            }

            if (use.HeaderIndex is { } index)
            {
                headerValues[index] = value;
                material.Add("header\0" + spec.Headers![index].Name + "\0" + value);
            }
            else
            {
                apiKey = value;
                material.Add("apiKey\0" + value);
            }
        }

        // Headers keep the order the spec gives them; agent.json (and so the config hash) lists them that way.
        var headers = new List<ResolvedHeader>();
        var headerSpecs = spec.Headers ?? [];
        for (var i = 0; i < headerSpecs.Count; i++)
        {
            var header = headerSpecs[i];
            if (headerValues.TryGetValue(i, out var secret))
            {
                headers.Add(new ResolvedHeader(header.Name, secret, FromSecret: true));
            }
            else if (header.ValueFrom?.SecretKeyRef is null && header.Value is { } literal)
            {
                headers.Add(new ResolvedHeader(header.Name, literal, FromSecret: false));
            }
        }

        var credentials = credentialFailure ?? DesiredCondition.Met(
            ConditionTypes.CredentialsResolved,
            ModelProviderReasons.Resolved,
            material.Count == 0
                ? "No Secret is referenced; agents connect without an API key."
                : "API key and secret headers were read.");
        var ready = DecideReady(defaulted, endpoint, credentials);
        var hash = credentialFailure is null && material.Count > 0 ? cluster.SecretDigest.Of(string.Join("\n", material)) : null;
        return new ResolvedProvider(
            defaulted,
            endpoint,
            Destination(defaulted, cluster),
            credentialFailure is null ? apiKey : null,
            credentialFailure is null ? headers : [],
            hash,
            ready,
            credentials);
    }

    /// <summary>
    /// The CredentialsResolved condition of a provider naming a Secret that exists but does not opt in to being read
    /// (<see cref="DroverLabels.ProviderCredentials"/>), with the command that opts it in.
    /// </summary>
    public static DesiredCondition NotLabelled(ModelProvider provider, SecretKeyUse use)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(use);
        var ns = provider.Metadata.NamespaceProperty;
        var name = use.Reference.Name;
        return DesiredCondition.Failed(
            ConditionTypes.CredentialsResolved,
            ModelProviderReasons.SecretNotLabelled,
            $"Secret \"{name}\" (the {use.What}, {use.Field}.name) exists in namespace \"{ns}\" but is not labelled {DroverLabels.ProviderCredentialsSelector}, "
            + $"so no provider may read it. If it holds this provider's credentials, run: kubectl -n {ns} label secret {name} {DroverLabels.ProviderCredentialsSelector}");
    }

    private static bool IsLabelledCredentials(V1Secret secret) =>
        secret.Metadata?.Labels?.TryGetValue(DroverLabels.ProviderCredentials, out var value) == true && value == DroverLabels.True;

    private static ProviderDestination Destination(ModelProvider provider, IClusterLookup cluster) =>
        ProviderReferences.Located(ProviderReferences.Destination(provider), cluster);

    private static DesiredCondition DecideReady(ModelProvider provider, string? endpoint, DesiredCondition credentials)
    {
        var spec = provider.Spec;
        if (endpoint is null && ProviderTypes.All.Contains(spec.Type))
        {
            return DesiredCondition.Failed(
                ConditionTypes.Ready,
                ModelProviderReasons.EndpointRequired,
                $"A {spec.Type} provider has no default endpoint: set spec.endpoint (for example https://llm.example.com/v1) "
                + "or spec.serviceRef to the Service serving the model.");
        }

        var errors = ModelProviderValidator.Validate(provider);
        if (errors.Count > 0)
        {
            return DesiredCondition.Failed(ConditionTypes.Ready, ModelProviderReasons.InvalidSpec, string.Join(" ", errors.Select(e => e.ToString())));
        }

        if (!credentials.IsTrue)
        {
            return DesiredCondition.Failed(ConditionTypes.Ready, credentials.Reason, credentials.Message);
        }

        return DesiredCondition.Met(ConditionTypes.Ready, ModelProviderReasons.Resolved, $"Agents call {endpoint}.");
    }

    private static bool TryRead(
        ModelProvider provider,
        SecretKeyUse use,
        Func<string, V1Secret?> secretNamed,
        out string value,
        out DesiredCondition? failure)
    {
        var ns = provider.Metadata.NamespaceProperty;
        var (field, what, reference) = (use.Field, use.What, use.Reference);
        value = "";
        failure = null;
        var secret = secretNamed(reference.Name);
        if (secret is null)
        {
            failure = DesiredCondition.Failed(
                ConditionTypes.CredentialsResolved,
                ModelProviderReasons.SecretNotFound,
                $"Secret \"{reference.Name}\" (the {what}, {field}.name) was not found in namespace \"{ns}\" among the Secrets labelled "
                + $"{DroverLabels.ProviderCredentialsSelector}; create and label it, for example: kubectl -n {ns} create secret generic {reference.Name} "
                + $"--from-literal={reference.Key}=... && kubectl -n {ns} label secret {reference.Name} {DroverLabels.ProviderCredentialsSelector}, "
                + "label it if it exists, or correct the name.");
            return false;
        }

        if (!IsLabelledCredentials(secret))
        {
            failure = NotLabelled(provider, use);
            return false;
        }

        if (!SecretValues.TryGet(secret, reference.Key, out var raw))
        {
            var keys = SecretValues.Keys(secret);
            failure = DesiredCondition.Failed(
                ConditionTypes.CredentialsResolved,
                ModelProviderReasons.KeyNotFound,
                $"Secret \"{reference.Name}\" in namespace \"{ns}\" has no key \"{reference.Key}\" (the {what}, {field}.key); "
                + (keys.Count == 0 ? "the Secret is empty." : $"it has: {string.Join(", ", keys)}. Correct the key or add it to the Secret."));
            return false;
        }

        // `echo key > file` leaves a newline that no API accepts in a header; trim it rather than fail every request.
        value = raw.TrimEnd('\r', '\n');
        if (value.Length == 0)
        {
            failure = DesiredCondition.Failed(
                ConditionTypes.CredentialsResolved,
                ModelProviderReasons.KeyNotFound,
                $"Key \"{reference.Key}\" of Secret \"{reference.Name}\" in namespace \"{ns}\" (the {what}, {field}) is empty; put the value in it.");
            return false;
        }

        return true;
    }
}
