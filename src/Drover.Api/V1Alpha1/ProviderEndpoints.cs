using System.Globalization;

namespace Drover.Api.V1Alpha1;

/// <summary>Turns a ModelProvider's endpoint settings into the one base URL agents call.</summary>
public static class ProviderEndpoints
{
    /// <summary>
    /// The base URL of <paramref name="provider"/>: the explicit endpoint, else the serviceRef as
    /// http://name.namespace.svc:port/path, else the type's public endpoint; null when none applies.
    /// </summary>
    public static string? Resolve(ModelProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var spec = provider.Spec;
        if (!string.IsNullOrEmpty(spec.Endpoint))
        {
            return spec.Endpoint;
        }

        if (spec.ServiceRef is { } service)
        {
            var ns = service.Namespace ?? provider.Metadata.NamespaceProperty ?? "default";
            var path = string.IsNullOrEmpty(service.Path) ? "" : "/" + service.Path.TrimStart('/');
            return string.Create(CultureInfo.InvariantCulture, $"http://{service.Name}.{ns}.svc:{service.Port}{path}");
        }

        return Defaults.EndpointFor(spec.Type);
    }
}
