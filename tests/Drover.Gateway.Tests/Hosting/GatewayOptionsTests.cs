using System.Security.Cryptography.X509Certificates;
using Drover.Gateway.Hosting;
using Drover.Gateway.Tests.Support;

namespace Drover.Gateway.Tests.Hosting;

public class GatewayOptionsTests
{
    private static GatewayOptions? Parse(string[] args, Dictionary<string, string>? environment, out string? error) =>
        GatewayOptions.Parse(args, name => environment?.GetValueOrDefault(name), out error, out _);

    [Fact]
    public void Defaults_match_the_documented_ones()
    {
        var options = Parse([], null, out var error)!;

        Assert.Null(error);
        Assert.Equal((":8090", ":8091", ":8092", "json"), (options.Listen, options.MetricsAddress, options.HealthAddress, options.LogFormat));
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(15), 4096L), (options.LimitWait, options.FirstByteTimeout, options.StatusInterval, options.DefaultMaxTokens));
    }

    [Fact]
    public void Flags_win_over_variables_which_win_over_defaults()
    {
        var options = Parse(["--listen", "127.0.0.1:9000", "--namespaces=a, b"], new() { ["DROVER_GATEWAY_LISTEN"] = ":1", ["DROVER_GATEWAY_LIMIT_WAIT"] = "250ms", ["DROVER_GATEWAY_LOG_FORMAT"] = "text" }, out _)!;

        Assert.Equal("127.0.0.1:9000", options.Listen);
        Assert.Equal(["a", "b"], options.Namespaces);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.LimitWait);
        Assert.Equal("text", options.LogFormat);
    }

    [Theory]
    [InlineData("--listen", "8090", "--listen must be [host]:port")]
    [InlineData("--log-format", "xml", "--log-format must be json or text")]
    [InlineData("--limit-wait", "soon", "--limit-wait must be a duration")]
    [InlineData("--max-request-bytes", "-5", "--max-request-bytes must be a whole number")]
    [InlineData("--colour", "blue", "unknown option --colour")]
    [InlineData("--redis", "redis:6379,colour=blue", "--redis must be host:port or a StackExchange.Redis configuration")]
    [InlineData("--replicas", "0", "--replicas must be a whole number of at least 1")]
    [InlineData("--drain-timeout", "forever", "--drain-timeout must be a duration")]
    public void Bad_values_are_refused_naming_the_flag(string flag, string value, string message)
    {
        Assert.Null(Parse([flag, value], null, out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Redis_and_drain_settings_come_from_the_chart_variables()
    {
        var options = Parse([], new() { ["DROVER_GATEWAY_REDIS"] = "redis.drover-system:6379,ssl=true", ["DROVER_GATEWAY_REPLICAS"] = "3", ["DROVER_GATEWAY_DRAIN_TIMEOUT"] = "45s" }, out var error)!;

        Assert.Null(error);
        Assert.Equal(("redis.drover-system:6379,ssl=true", 3, TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(5)), (options.Redis, options.Replicas, options.DrainTimeout, options.ShutdownDelay));
        Assert.Null(Parse(["--redis="], null, out _)!.Redis);
    }

    [Fact]
    public void Redis_tls_files_come_from_the_chart_variables_and_are_read_at_start()
    {
        using var files = new TlsFiles();
        var options = Parse([], new()
        {
            ["DROVER_GATEWAY_REDIS"] = "redis.data:6380",
            ["DROVER_GATEWAY_REDIS_CA"] = files.Ca,
            ["DROVER_GATEWAY_REDIS_CLIENT_CERT"] = files.ClientCertificate,
            ["DROVER_GATEWAY_REDIS_CLIENT_KEY"] = files.ClientKey,
        }, out var error)!;

        Assert.Null(error);
        Assert.Equal((files.Ca, files.ClientCertificate, files.ClientKey), (options.RedisCa, options.RedisClientCert, options.RedisClientKey));
        var redis = RedisConnection.Options(options, _ => "pw")!;
        Assert.True(redis.Ssl, "a CA turns TLS on");
        Assert.Equal("pw", redis.Password);
        var tls = redis.SslClientAuthenticationOptions!("redis.data");
        Assert.Equal("redis.data", tls.TargetHost);
        Assert.Equal(X509ChainTrustMode.CustomRootTrust, tls.CertificateChainPolicy!.TrustMode);
        Assert.Equal(["CN=drover-options-test-ca"], tls.CertificateChainPolicy.CustomTrustStore.Select(c => c.Subject));
        Assert.Equal("CN=drover-gateway", tls.ClientCertificateContext!.TargetCertificate.Subject);
        Assert.Null(RedisConnection.Options(Parse(["--redis", "redis:6379,ssl=true"], null, out _)!, _ => null)!.SslClientAuthenticationOptions);
    }

    /// <summary>Each bad TLS setting is refused at start, naming the flag and the file, before anything connects.</summary>
    [Theory]
    [InlineData("missing CA file", "--redis-ca {dir}/nowhere.crt cannot be read")]
    [InlineData("CA file not PEM", "--redis-ca {dir}/ca.der is not PEM")]
    [InlineData("CA file with a key but no certificate", "--redis-ca {dir}/drover-gateway.key holds no certificate")]
    [InlineData("CA file without a root", "--redis-ca {dir}/drover-gateway.crt holds no root certificate")]
    [InlineData("CA without --redis", "--redis-ca, --redis-client-cert and --redis-client-key need --redis")]
    [InlineData("client certificate without its key", "--redis-client-cert and --redis-client-key go together")]
    [InlineData("client key of another certificate", "--redis-client-cert {dir}/drover-gateway.crt with --redis-client-key {dir}/other.key is not a PEM certificate and its unencrypted private key")]
    public void Bad_redis_tls_files_are_refused_naming_the_flag_and_the_file(string mistake, string message)
    {
        using var files = new TlsFiles();
        string[] args = mistake switch
        {
            "missing CA file" => ["--redis", "redis:6379", "--redis-ca", Path.Combine(files.Directory, "nowhere.crt")],
            "CA file not PEM" => ["--redis", "redis:6379", "--redis-ca", files.Write("ca.der", files.Authority.Certificate.RawData)],
            "CA file with a key but no certificate" => ["--redis", "redis:6379", "--redis-ca", files.ClientKey],
            "CA file without a root" => ["--redis", "redis:6379", "--redis-ca", files.ClientCertificate],
            "CA without --redis" => ["--redis-ca", files.Ca],
            "client certificate without its key" => ["--redis", "redis:6379", "--redis-client-cert", files.ClientCertificate],
            "client key of another certificate" => ["--redis", "redis:6379", "--redis-client-cert", files.ClientCertificate, "--redis-client-key", files.OtherKey],
            _ => throw new ArgumentOutOfRangeException(nameof(mistake)),
        };

        Assert.Null(Parse(args, null, out var error));
        Assert.Contains(message.Replace("{dir}", files.Directory, StringComparison.Ordinal), error, StringComparison.Ordinal);
    }

    /// <summary>A CA, a client certificate from it and a key of another, as PEM files in a directory of their own.</summary>
    private sealed class TlsFiles : IDisposable
    {
        public TlsFiles()
        {
            Authority = TestCertificateAuthority.Create("drover-options-test-ca");
            Ca = Authority.WriteCertificate(System.IO.Path.Combine(Directory, "ca.crt"));
            (ClientCertificate, ClientKey) = Authority.IssueClient(Directory, "drover-gateway");
            OtherKey = Authority.IssueClient(Directory, "other").Key;
        }

        public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("drover-gateway-options-").FullName;

        public TestCertificateAuthority Authority { get; }

        public string Ca { get; }

        public string ClientCertificate { get; }

        public string ClientKey { get; }

        public string OtherKey { get; }

        public string Write(string name, byte[] content)
        {
            var path = System.IO.Path.Combine(Directory, name);
            File.WriteAllBytes(path, content);
            return path;
        }

        public void Dispose()
        {
            Authority.Dispose();
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    [Fact]
    public void Help_lists_every_flag_with_its_variable()
    {
        foreach (var (flag, variable) in GatewayOptions.Variables)
        {
            var line = GatewayOptions.Usage.Split('\n').SingleOrDefault(l => l.TrimStart().StartsWith("--" + flag + " ", StringComparison.Ordinal));
            Assert.True(line is not null, $"--{flag} is not in the help text");
            Assert.EndsWith(variable, line.TrimEnd(), StringComparison.Ordinal);
        }
    }
}
