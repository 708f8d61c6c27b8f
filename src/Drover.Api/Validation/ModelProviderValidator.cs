using Drover.Api.V1Alpha1;

namespace Drover.Api.Validation;

/// <summary>The rules of a ModelProvider that a CRD schema cannot express.</summary>
public static class ModelProviderValidator
{
    /// <summary>Every problem with <paramref name="provider"/>; empty when it is valid.</summary>
    public static IReadOnlyList<ValidationError> Validate(ModelProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var errors = new ValidationErrors();
        var spec = provider.Spec;
        if (string.IsNullOrEmpty(spec.Type))
        {
            errors.Add("spec.type", $"the provider type is required; use one of: {string.Join(", ", ProviderTypes.All)}.");
        }
        else
        {
            errors.OneOf("spec.type", spec.Type, ProviderTypes.All);
        }

        ValidateEndpoint(spec, errors);
        ValidateApiKey(spec, errors);
        ValidateHeaders(spec.Headers, errors);
        ValidateModels(spec, errors);
        if (spec.Limits is { } limits)
        {
            errors.AtLeast("spec.limits.requestsPerMinute", limits.RequestsPerMinute, 1);
            errors.AtLeast("spec.limits.tokensPerMinute", limits.TokensPerMinute, 1);
            errors.AtLeast("spec.limits.maxConcurrentRequests", limits.MaxConcurrentRequests, 1);
        }

        ValidatePricing(spec.Pricing, errors);
        ValidateAllowedNamespaces(spec.AllowedNamespaces, errors);
        return errors.ToList();
    }

    private static void ValidateEndpoint(ModelProviderSpec spec, ValidationErrors errors)
    {
        var hasEndpoint = !string.IsNullOrEmpty(spec.Endpoint);
        if (hasEndpoint && spec.ServiceRef is not null)
        {
            errors.Add("spec.serviceRef", "set either spec.endpoint or spec.serviceRef, not both.");
        }

        if (hasEndpoint && !IsHttpUrl(spec.Endpoint!))
        {
            errors.Add("spec.endpoint", $"\"{spec.Endpoint}\" is not an absolute http or https URL, for example https://llm.example.com/v1.");
        }

        if (!hasEndpoint && spec.ServiceRef is null && spec.Type is ProviderTypes.OpenAICompatible or ProviderTypes.Ollama)
        {
            errors.Add("spec.endpoint", $"a {spec.Type} provider has no default endpoint; set spec.endpoint or spec.serviceRef.");
        }

        if (spec.ServiceRef is { } service)
        {
            if (!KubernetesNames.IsDns1035Label(service.Name))
            {
                errors.Add("spec.serviceRef.name", $"\"{service.Name}\" is not a Service name (lower-case letters, digits and '-', starting with a letter, at most 63 characters).");
            }

            if (service.Namespace is not null && !KubernetesNames.IsDns1123Label(service.Namespace))
            {
                errors.Add("spec.serviceRef.namespace", $"\"{service.Namespace}\" is not a namespace name.");
            }

            errors.Port("spec.serviceRef.port", service.Port);
            if (service.Path is { Length: > 0 } path && !path.StartsWith('/'))
            {
                errors.Add("spec.serviceRef.path", $"\"{path}\" must start with '/'.");
            }
        }
    }

    private static void ValidateApiKey(ModelProviderSpec spec, ValidationErrors errors)
    {
        if (spec.ApiKey is null)
        {
            if (Defaults.RequiresApiKey(spec.Type) && !string.IsNullOrEmpty(spec.Type) && ProviderTypes.All.Contains(spec.Type))
            {
                errors.Add("spec.apiKey", $"a {spec.Type} provider needs an API key; set spec.apiKey.secretKeyRef to the Secret key holding it.");
            }

            return;
        }

        if (spec.ApiKey.SecretKeyRef is not { } key)
        {
            errors.Add("spec.apiKey.secretKeyRef", "name the Secret key holding the API key.");
            return;
        }

        errors.KeyReference("spec.apiKey.secretKeyRef", key.Name, key.Key, "Secret");
    }

    private static void ValidateHeaders(List<ProviderHeader>? headers, ValidationErrors errors)
    {
        if (headers is null)
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < headers.Count; i++)
        {
            var header = headers[i];
            var field = $"spec.headers[{i}]";
            if (string.IsNullOrEmpty(header.Name) || !header.Name.All(IsTokenChar))
            {
                errors.Add(field + ".name", $"\"{header.Name}\" is not an HTTP header name.");
            }
            else if (!seen.Add(header.Name))
            {
                errors.Add(field + ".name", $"header \"{header.Name}\" is listed twice.");
            }

            var hasValue = header.Value is not null;
            var hasValueFrom = header.ValueFrom is not null;
            if (hasValue == hasValueFrom)
            {
                errors.Add(field, "set exactly one of value and valueFrom.");
            }
            else if (header.ValueFrom is { } from)
            {
                if (from.SecretKeyRef is not { } key)
                {
                    errors.Add(field + ".valueFrom.secretKeyRef", "name the Secret key holding the header value.");
                }
                else
                {
                    errors.KeyReference(field + ".valueFrom.secretKeyRef", key.Name, key.Key, "Secret");
                }
            }
        }
    }

    private static void ValidateModels(ModelProviderSpec spec, ValidationErrors errors)
    {
        var models = spec.Models ?? [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < models.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(models[i]))
            {
                errors.Add($"spec.models[{i}]", "a model name cannot be empty.");
            }
            else if (!seen.Add(models[i]))
            {
                errors.Add($"spec.models[{i}]", $"model \"{models[i]}\" is listed twice.");
            }
        }

        if (spec.DefaultModel is { } defaultModel)
        {
            if (string.IsNullOrWhiteSpace(defaultModel))
            {
                errors.Add("spec.defaultModel", "the default model cannot be empty; remove it or name a model.");
            }
            else if (models.Count > 0 && !seen.Contains(defaultModel))
            {
                errors.Add("spec.defaultModel", $"\"{defaultModel}\" is not in spec.models ({string.Join(", ", models)}); add it there or pick one of them.");
            }
        }
    }

    private static void ValidatePricing(List<ModelPricing>? pricing, ValidationErrors errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (pricing?.Count ?? 0); i++)
        {
            var price = pricing![i];
            var field = $"spec.pricing[{i}]";
            if (string.IsNullOrWhiteSpace(price.Model))
            {
                errors.Add(field + ".model", "name the model this price is for.");
            }
            else if (!seen.Add(price.Model))
            {
                errors.Add(field + ".model", $"model \"{price.Model}\" is priced twice.");
            }

            if (price.InputPerMillion is null && price.OutputPerMillion is null && price.CachedInputPerMillion is null)
            {
                errors.Add(field, "set inputPerMillion, outputPerMillion or both (US dollars per million tokens).");
            }

            errors.Between(field + ".inputPerMillion", price.InputPerMillion, 0m, ModelPricing.MaxPrice);
            errors.Between(field + ".outputPerMillion", price.OutputPerMillion, 0m, ModelPricing.MaxPrice);
            errors.Between(field + ".cachedInputPerMillion", price.CachedInputPerMillion, 0m, ModelPricing.MaxPrice);
        }
    }

    private static void ValidateAllowedNamespaces(AllowedNamespaces? allowed, ValidationErrors errors)
    {
        if (allowed is null)
        {
            return;
        }

        errors.OneOf("spec.allowedNamespaces.from", allowed.From, NamespacesFrom.Values);
        var from = allowed.From ?? NamespacesFrom.Same;
        if (from == NamespacesFrom.Selector && allowed.Selector is null)
        {
            errors.Add("spec.allowedNamespaces.selector", "from: Selector needs a selector naming the namespace labels to match.");
        }
        else if (from != NamespacesFrom.Selector && allowed.Selector is not null)
        {
            errors.Add("spec.allowedNamespaces.selector", $"a selector is only used with from: Selector, but from is {from}.");
        }
    }

    private static bool IsHttpUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && !string.IsNullOrEmpty(uri.Host)
        && string.IsNullOrEmpty(uri.Query)
        && string.IsNullOrEmpty(uri.Fragment);

    // RFC 9110 token characters.
    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}
