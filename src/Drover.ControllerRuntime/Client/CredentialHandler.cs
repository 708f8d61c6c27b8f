using System.Net;

namespace Drover.ControllerRuntime.Client;

/// <summary>
/// Puts on each request what the connection says about who is asking: the credential (fetched or refreshed as needed,
/// dropped after a 401 so the next request fetches a new one), impersonation headers, and the TLS server name.
/// </summary>
internal sealed class CredentialHandler : DelegatingHandler
{
    private readonly RequestCredentials? _credentials;
    private readonly ClusterConnection _connection;

    public CredentialHandler(ClusterConnection connection, RequestCredentials? credentials, HttpMessageHandler inner)
        : base(inner)
    {
        _connection = connection;
        _credentials = credentials;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_connection.TlsServerName is { } serverName && request.RequestUri?.Scheme == Uri.UriSchemeHttps)
        {
            // The handler takes the TLS server name (SNI and certificate check) from the Host header when one is set.
            request.Headers.Host = serverName;
        }

        AddImpersonation(request);
        var used = request.Headers.Authorization;
        if (used is null && _credentials is not null)
        {
            used = await _credentials.AuthorizationAsync(cancellationToken).ConfigureAwait(false);
            request.Headers.Authorization = used;
        }

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            _credentials?.Rejected(used);
        }

        return response;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _credentials?.Dispose();
        }

        base.Dispose(disposing);
    }

    private void AddImpersonation(HttpRequestMessage request)
    {
        if (_connection.ImpersonateUser is not { } user)
        {
            return;
        }

        request.Headers.TryAddWithoutValidation("Impersonate-User", user);
        if (_connection.ImpersonateUid is { } uid)
        {
            request.Headers.TryAddWithoutValidation("Impersonate-Uid", uid);
        }

        foreach (var group in _connection.ImpersonateGroups)
        {
            request.Headers.TryAddWithoutValidation("Impersonate-Group", group);
        }

        foreach (var (key, values) in _connection.ImpersonateExtra)
        {
            foreach (var value in values)
            {
                request.Headers.TryAddWithoutValidation("Impersonate-Extra-" + Uri.EscapeDataString(key), value);
            }
        }
    }
}
