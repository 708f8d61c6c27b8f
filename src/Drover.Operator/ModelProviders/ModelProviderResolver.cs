using Drover.Api.Validation;
using Drover.Api.V1Alpha1;
using Drover.Operator.Children;
using Drover.Operator.Resolution;
using Drover.Operator.Status;
using k8s.Models;

namespace Drover.Operator.ModelProviders;

/// <summary>
/// Resolves a ModelProvider: its base URL, its API key and header values from Secrets in its own namespace, a hash
/// of that material, and the Ready and CredentialsResolved conditions with a reason a user can act on.
/// </summary>
public static class ModelProviderResolver
{
    public static ResolvedProvider Resolve(ModelProvider provider, IClusterLookup cluster)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(cluster);
        var ns = provider.Metadata.NamespaceProperty ?? "";
        return Resolve(provider, name => cluster.Secret(ns, name));
    }

    /// <param name="provider">The provider as stored; defaults are applied to a copy.</param>
    /// <param name="secretNamed">Finds a Secret in the provider's namespace by name; null when it does not exist.</param>
    public static ResolvedProvider Resolve(ModelProvider provider, Func<string, V1Secret?> secretNamed)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(secretNamed);
        var defaulted = Defaults.Apply(provider);
        var spec = defaulted.Spec;
        var endpoint = ProviderEndpoints.Resolve(defaulted);

        var material = new List<string>();
        var headers = new List<ResolvedHeader>();
        string? apiKey = null;
        DesiredCondition? credentialFailure = null;
        if (spec.ApiKey?.SecretKeyRef is { } keyRef && !string.IsNullOrEmpty(keyRef.Name) && !string.IsNullOrEmpty(keyRef.Key))
        {
            if (TryRead(defaulted, keyRef, "spec.apiKey.secretKeyRef", "API key", secretNamed, out var value, out var failure))
            {
                apiKey = value;
                material.Add("apiKey\0" + value);
            }
            else
            {
                credentialFailure = failure;
            }
        }

        var headerSpecs = spec.Headers ?? [];
        for (var i = 0; i < headerSpecs.Count; i++)
        {
            var header = headerSpecs[i];
            if (header.ValueFrom?.SecretKeyRef is { } headerRef && !string.IsNullOrEmpty(headerRef.Name) && !string.IsNullOrEmpty(headerRef.Key))
            {
                var field = $"spec.headers[{i}].valueFrom.secretKeyRef";
                if (TryRead(defaulted, headerRef, field, $"value of header {header.Name}", secretNamed, out var value, out var failure))
                {
                    headers.Add(new ResolvedHeader(header.Name, value, FromSecret: true));
                    material.Add("header\0" + header.Name + "\0" + value);
                }
                else
                {
                    credentialFailure ??= failure;
                }
            }
            else if (header.Value is { } literal)
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
        var hash = credentialFailure is null && material.Count > 0 ? ContentHash.Of(string.Join("\n", material)) : null;
        return new ResolvedProvider(
            defaulted,
            endpoint,
            credentialFailure is null ? apiKey : null,
            credentialFailure is null ? headers : [],
            hash,
            ready,
            credentials);
    }

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
        SecretKeyReference reference,
        string field,
        string what,
        Func<string, V1Secret?> secretNamed,
        out string value,
        out DesiredCondition? failure)
    {
        var ns = provider.Metadata.NamespaceProperty;
        value = "";
        failure = null;
        var secret = secretNamed(reference.Name);
        if (secret is null)
        {
            failure = DesiredCondition.Failed(
                ConditionTypes.CredentialsResolved,
                ModelProviderReasons.SecretNotFound,
                $"Secret \"{reference.Name}\" (the {what}, {field}.name) was not found in namespace \"{ns}\"; "
                + $"create it, for example: kubectl -n {ns} create secret generic {reference.Name} --from-literal={reference.Key}=..., "
                + "or correct the name.");
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
