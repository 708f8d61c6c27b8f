using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Drover.ControllerRuntime.Client;

/// <summary>Where the <c>Authorization</c> of each request comes from, and what to do when the server rejects it.</summary>
internal abstract class RequestCredentials : IDisposable
{
    /// <summary>The header to send; null sends none.</summary>
    public abstract ValueTask<AuthenticationHeaderValue?> AuthorizationAsync(CancellationToken cancellationToken);

    /// <summary>A client certificate obtained along with the credential (an exec plugin may return one).</summary>
    public virtual X509Certificate2? ClientCertificate => null;

    /// <summary>The server answered 401 to a request sent with <paramref name="used"/>: a cached credential should be fetched again.</summary>
    public virtual void Rejected(AuthenticationHeaderValue? used)
    {
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    public static RequestCredentials? For(ClusterConnection connection, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.AuthorizationSource is { } source)
        {
            return new Asked(source);
        }

        // As client-go: a token file wins over a token (which it would only seed), a token or basic auth over an exec plugin.
        if (connection.BearerTokenFile is { } file)
        {
            return new TokenFile(file, time);
        }

        if (connection.BearerToken is { } token)
        {
            return new Fixed(new AuthenticationHeaderValue("Bearer", token));
        }

        if (connection.Username is { } username)
        {
            var pair = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{connection.Password}"));
            return new Fixed(new AuthenticationHeaderValue("Basic", pair));
        }

        return connection.Exec is { } exec ? new ExecCredentialSource(exec, connection, time) : null;
    }

    private sealed class Fixed(AuthenticationHeaderValue header) : RequestCredentials
    {
        public override ValueTask<AuthenticationHeaderValue?> AuthorizationAsync(CancellationToken cancellationToken) => ValueTask.FromResult<AuthenticationHeaderValue?>(header);
    }

    private sealed class Asked(Func<CancellationToken, Task<AuthenticationHeaderValue?>> source) : RequestCredentials
    {
        public override async ValueTask<AuthenticationHeaderValue?> AuthorizationAsync(CancellationToken cancellationToken) => await source(cancellationToken);
    }

    /// <summary>
    /// A bearer token kept in a file that something else rotates (a projected service account token, a sidecar):
    /// re-read when the last read is a minute old, as client-go does, or at once after a 401.
    /// </summary>
    private sealed class TokenFile(string path, TimeProvider time) : RequestCredentials
    {
        private static readonly TimeSpan RereadAfter = TimeSpan.FromMinutes(1);
        private readonly Lock _lock = new();
        private AuthenticationHeaderValue? _header;
        private DateTimeOffset _readAt;

        public override async ValueTask<AuthenticationHeaderValue?> AuthorizationAsync(CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                if (_header is not null && time.GetUtcNow() - _readAt < RereadAfter)
                {
                    return _header;
                }
            }

            string token;
            try
            {
                token = (await File.ReadAllTextAsync(path, cancellationToken)).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new KubeApiException($"failed to read token file \"{path}\": {e.Message}", e);
            }

            if (token.Length == 0)
            {
                throw new KubeApiException($"read empty token from file \"{path}\"");
            }

            lock (_lock)
            {
                _header = new AuthenticationHeaderValue("Bearer", token);
                _readAt = time.GetUtcNow();
                return _header;
            }
        }

        public override void Rejected(AuthenticationHeaderValue? used)
        {
            lock (_lock)
            {
                if (ReferenceEquals(used, _header))
                {
                    _header = null;
                }
            }
        }
    }
}
