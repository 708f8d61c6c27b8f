using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Drover.ControllerRuntime.Client;

/// <summary>
/// Runs a kubeconfig <c>exec</c> plugin as client-go does and caches its ExecCredential until its
/// <c>expirationTimestamp</c> (for ever when it has none), or until the server answers 401 to it. One run at a time:
/// concurrent requests wait for the same credential. Never interactive: a controller has no terminal, so the plugin's
/// stdin is closed and <c>spec.interactive</c> is false.
/// </summary>
internal sealed class ExecCredentialSource : RequestCredentials
{
    private const int StderrShown = 1024;
    private readonly ExecCredentialPlugin _plugin;
    private readonly string _execInfo;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _running = new(1, 1);
    private volatile Credential? _cached;

    public ExecCredentialSource(ExecCredentialPlugin plugin, ClusterConnection connection, TimeProvider time)
    {
        _plugin = plugin;
        _time = time;
        _execInfo = ExecInfo(plugin, connection);
    }

    public override X509Certificate2? ClientCertificate => _cached?.Certificate;

    public override async ValueTask<AuthenticationHeaderValue?> AuthorizationAsync(CancellationToken cancellationToken)
    {
        var credential = await CurrentAsync(cancellationToken);
        return credential.Header;
    }

    public override void Rejected(AuthenticationHeaderValue? used)
    {
        var cached = _cached;
        if (cached is not null && ReferenceEquals(cached.Header, used))
        {
            _cached = null;
        }
    }

    private async Task<Credential> CurrentAsync(CancellationToken cancellationToken)
    {
        if (_cached is { } cached && !Expired(cached))
        {
            return cached;
        }

        await _running.WaitAsync(cancellationToken);
        try
        {
            if (_cached is { } fresh && !Expired(fresh))
            {
                return fresh;
            }

            var credential = await RunAsync(cancellationToken);
            _cached = credential;
            return credential;
        }
        finally
        {
            _running.Release();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _running.Dispose();
        }

        base.Dispose(disposing);
    }

    private bool Expired(Credential credential) => credential.Expires is { } expires && _time.GetUtcNow() > expires;

    private async Task<Credential> RunAsync(CancellationToken cancellationToken)
    {
        if (_plugin.InteractiveMode == "Always")
        {
            throw Failed("exec plugin cannot support interactive mode: standard input is not a terminal (interactiveMode is Always)");
        }

        var start = new ProcessStartInfo(_plugin.Command)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in _plugin.Args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in _plugin.Env)
        {
            start.Environment[name] = value;
        }

        start.Environment["KUBERNETES_EXEC_INFO"] = _execInfo;
        Process process;
        try
        {
            process = Process.Start(start) ?? throw Failed($"exec: executable {_plugin.Command} could not be started");
        }
        catch (Win32Exception e)
        {
            var hint = string.IsNullOrWhiteSpace(_plugin.InstallHint) ? string.Empty : "\n\n" + _plugin.InstallHint.Trim();
            throw Failed($"exec: executable {_plugin.Command} not found ({e.Message}){hint}", e);
        }

        using (process)
        {
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Stop(process);
                throw;
            }

            var stdout = await output;
            var stderr = (await errors).Trim();
            if (process.ExitCode != 0)
            {
                var shown = stderr.Length > StderrShown ? stderr[..StderrShown] + "..." : stderr;
                throw Failed($"exec: executable {_plugin.Command} failed with exit code {process.ExitCode}{(shown.Length == 0 ? string.Empty : ": " + shown)}");
            }

            return Parse(stdout);
        }
    }

    private Credential Parse(string stdout)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stdout);
        }
        catch (JsonException e)
        {
            throw Failed($"decoding stdout of exec plugin {_plugin.Command}: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Failed($"decoding stdout of exec plugin {_plugin.Command}: not an ExecCredential object");
            }

            var apiVersion = String(root, "apiVersion");
            if (apiVersion != _plugin.ApiVersion)
            {
                throw Failed($"exec plugin is configured to use API version {_plugin.ApiVersion}, plugin returned version {apiVersion}");
            }

            if (String(root, "kind") != "ExecCredential")
            {
                throw Failed($"exec plugin returned kind \"{String(root, "kind")}\", not ExecCredential");
            }

            if (!root.TryGetProperty("status", out var status) || status.ValueKind != JsonValueKind.Object)
            {
                throw Failed("exec plugin didn't return a status field");
            }

            var token = String(status, "token");
            var certificate = String(status, "clientCertificateData");
            var key = String(status, "clientKeyData");
            if (string.IsNullOrEmpty(token) && string.IsNullOrEmpty(certificate) && string.IsNullOrEmpty(key))
            {
                throw Failed("exec plugin didn't return a token or cert/key pair");
            }

            if (string.IsNullOrEmpty(certificate) != string.IsNullOrEmpty(key))
            {
                throw Failed("exec plugin returned only certificate or key, not both");
            }

            DateTimeOffset? expires = null;
            if (String(status, "expirationTimestamp") is { Length: > 0 } expiration)
            {
                if (!DateTimeOffset.TryParse(expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
                {
                    throw Failed($"exec plugin returned an unreadable expirationTimestamp \"{expiration}\"");
                }

                expires = parsed;
            }

            X509Certificate2? clientCertificate = null;
            if (!string.IsNullOrEmpty(certificate))
            {
                try
                {
                    clientCertificate = X509Certificate2.CreateFromPem(certificate, key);
                }
                catch (CryptographicException e)
                {
                    throw Failed($"exec plugin returned a client certificate and key that cannot be read: {e.Message}", e);
                }
            }

            return new Credential(string.IsNullOrEmpty(token) ? null : new AuthenticationHeaderValue("Bearer", token), clientCertificate, expires);
        }
    }

    /// <summary>KUBERNETES_EXEC_INFO: the ExecCredential request, with the cluster when the plugin asked for it.</summary>
    private static string ExecInfo(ExecCredentialPlugin plugin, ClusterConnection connection)
    {
        var spec = new JsonObject { ["interactive"] = false };
        if (plugin.ProvideClusterInfo)
        {
            var cluster = new JsonObject { ["server"] = connection.Server.AbsoluteUri.TrimEnd('/') };
            if (connection.TlsServerName is { } serverName)
            {
                cluster["tls-server-name"] = serverName;
            }

            if (connection.InsecureSkipTlsVerify)
            {
                cluster["insecure-skip-tls-verify"] = true;
            }

            if (connection.CertificateAuthorities is { Count: > 0 } authorities)
            {
                var pem = string.Concat(authorities.Select(c => c.ExportCertificatePem() + "\n"));
                cluster["certificate-authority-data"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(pem));
            }

            if (connection.ProxyUrl is { } proxy)
            {
                cluster["proxy-url"] = proxy.AbsoluteUri;
            }

            spec["cluster"] = cluster;
        }

        return new JsonObject { ["kind"] = "ExecCredential", ["apiVersion"] = plugin.ApiVersion, ["spec"] = spec }.ToJsonString();
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "The process may already have exited; stopping it is best effort.")]
    private static void Stop(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception)
        {
        }
    }

    private static KubeApiException Failed(string message, Exception? inner = null) =>
        inner is null ? new KubeApiException("getting credentials: " + message) : new KubeApiException("getting credentials: " + message, inner);

    private sealed record Credential(AuthenticationHeaderValue? Header, X509Certificate2? Certificate, DateTimeOffset? Expires);
}
