using System.Globalization;
using System.Text;
using k8s.Exceptions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Drover.ControllerRuntime.Client;

/// <summary>
/// A kubeconfig as kubectl reads it: one file, or several merged by kubectl's rules (the first file to define a
/// cluster, user or context name wins, and the first <c>current-context</c> set wins). Relative file paths in an entry
/// are resolved against the directory of the file that defined it. <see cref="Resolve(string?)"/> turns a context into
/// a <see cref="ClusterConnection"/>, with kubectl's error messages when something is missing. Read from YamlDotNet's
/// node model (no reflection), so it is trim and NativeAOT clean.
/// </summary>
public sealed class Kubeconfig
{
    private static readonly string[] SupportedExecApiVersions = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"];

    private readonly Dictionary<string, ClusterEntry> _clusters;
    private readonly Dictionary<string, UserEntry> _users;
    private readonly Dictionary<string, ContextEntry> _contexts;

    private Kubeconfig(
        string? currentContext,
        Dictionary<string, ClusterEntry> clusters,
        Dictionary<string, UserEntry> users,
        Dictionary<string, ContextEntry> contexts,
        IReadOnlyList<string> files)
    {
        CurrentContext = currentContext;
        _clusters = clusters;
        _users = users;
        _contexts = contexts;
        Files = files;
    }

    /// <summary>The <c>current-context</c>, if any file set one.</summary>
    public string? CurrentContext { get; }

    public IReadOnlyCollection<string> ContextNames => _contexts.Keys;

    /// <summary>The files this was read from, in precedence order.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Reads one file, as <c>--kubeconfig</c> does: it must exist.</summary>
    /// <exception cref="KubeConfigException">The file is missing or is not a valid kubeconfig.</exception>
    public static Kubeconfig LoadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new KubeConfigException($"stat {path}: no such file or directory");
        }

        return Parse(File.ReadAllText(full), full);
    }

    /// <summary>
    /// Reads the files of a KUBECONFIG list and merges them as kubectl does: files that do not exist are skipped, and
    /// for every name (and for <c>current-context</c>) the first file that sets it wins.
    /// </summary>
    /// <exception cref="KubeConfigException">None of the files exists, or one is not a valid kubeconfig.</exception>
    public static Kubeconfig Load(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var candidates = paths.Where(p => !string.IsNullOrWhiteSpace(p)).Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).ToList();
        var existing = candidates.Where(File.Exists).ToList();
        if (existing.Count == 0)
        {
            throw new KubeConfigException($"none of the kubeconfig files exists: {string.Join(", ", candidates)}");
        }

        var parts = existing.Select(p => Parse(File.ReadAllText(p), p)).ToList();
        var clusters = new Dictionary<string, ClusterEntry>(StringComparer.Ordinal);
        var users = new Dictionary<string, UserEntry>(StringComparer.Ordinal);
        var contexts = new Dictionary<string, ContextEntry>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            foreach (var (name, entry) in part._clusters)
            {
                clusters.TryAdd(name, entry);
            }

            foreach (var (name, entry) in part._users)
            {
                users.TryAdd(name, entry);
            }

            foreach (var (name, entry) in part._contexts)
            {
                contexts.TryAdd(name, entry);
            }
        }

        var current = parts.Select(p => p.CurrentContext).FirstOrDefault(c => !string.IsNullOrEmpty(c));
        return new Kubeconfig(current, clusters, users, contexts, existing);
    }

    /// <summary>Reads kubeconfig YAML (or JSON). Relative paths in it are taken relative to <paramref name="path"/>'s directory.</summary>
    /// <param name="yaml">The file's text.</param>
    /// <param name="path">Where it was read from; the current directory stands in when null.</param>
    /// <exception cref="KubeConfigException">The text is not valid YAML or not shaped like a kubeconfig.</exception>
    public static Kubeconfig Parse(string yaml, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var where = path ?? "<kubeconfig>";
        var directory = path is null ? Environment.CurrentDirectory : Path.GetDirectoryName(Path.GetFullPath(path)) ?? Environment.CurrentDirectory;
        YamlNode? root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        }
        catch (YamlException e)
        {
            throw new KubeConfigException($"error loading config file \"{where}\": {e.Message}", e);
        }

        var reader = new NodeReader(where);
        var clusters = new Dictionary<string, ClusterEntry>(StringComparer.Ordinal);
        var users = new Dictionary<string, UserEntry>(StringComparer.Ordinal);
        var contexts = new Dictionary<string, ContextEntry>(StringComparer.Ordinal);
        if (root is null || (root is YamlScalarNode scalar && NodeReader.IsNull(scalar)))
        {
            return new Kubeconfig(null, clusters, users, contexts, path is null ? [] : [path]);
        }

        var top = reader.Mapping(root, "the file");
        foreach (var (name, body) in reader.NamedList(top, "clusters", "cluster"))
        {
            clusters[name] = ReadCluster(reader, body, $"cluster \"{name}\"", directory);
        }

        foreach (var (name, body) in reader.NamedList(top, "users", "user"))
        {
            users[name] = ReadUser(reader, body, $"user \"{name}\"", directory);
        }

        foreach (var (name, body) in reader.NamedList(top, "contexts", "context"))
        {
            contexts[name] = new ContextEntry(
                reader.Text(body, "cluster", name),
                reader.Text(body, "user", name),
                reader.Text(body, "namespace", name));
        }

        return new Kubeconfig(reader.Text(top, "current-context", "the file"), clusters, users, contexts, path is null ? [] : [path]);
    }

    /// <summary>
    /// Resolves <paramref name="context"/> (or <see cref="CurrentContext"/>) to a connection: the cluster's server and
    /// TLS settings, the user's credentials, the context's namespace. Files it names (CA, client certificate and key)
    /// are read now, so a missing one fails at start rather than on the first request.
    /// </summary>
    /// <exception cref="KubeConfigException">The context, its cluster or its user is missing or unusable, in kubectl's words.</exception>
    public ClusterConnection Resolve(string? context = null)
    {
        var name = string.IsNullOrEmpty(context) ? CurrentContext : context;
        if (string.IsNullOrEmpty(name))
        {
            throw new KubeConfigException("no context chosen: the kubeconfig sets no current-context and no context was given");
        }

        if (!_contexts.TryGetValue(name, out var entry))
        {
            throw new KubeConfigException($"context was not found for specified context: {name}");
        }

        if (string.IsNullOrEmpty(entry.Cluster))
        {
            throw new KubeConfigException($"cluster was not specified for context \"{name}\"");
        }

        if (!_clusters.TryGetValue(entry.Cluster, out var cluster))
        {
            throw new KubeConfigException($"cluster \"{entry.Cluster}\" was not found for context \"{name}\"");
        }

        // A context without a user talks to the server anonymously, as kubectl does; a user it names must exist.
        UserEntry? user = null;
        if (!string.IsNullOrEmpty(entry.User) && !_users.TryGetValue(entry.User, out user))
        {
            throw new KubeConfigException($"user \"{entry.User}\" was not found for context \"{name}\"");
        }

        if (entry.Namespace is { Length: > 0 } ns && !IsDnsLabel(ns))
        {
            throw new KubeConfigException($"namespace \"{ns}\" for context \"{name}\" does not conform to the kubernetes DNS_LABEL rules");
        }

        var connection = ResolveCluster(entry.Cluster, cluster) with { ContextName = name, Namespace = string.IsNullOrEmpty(entry.Namespace) ? null : entry.Namespace };
        return user is null ? connection : ResolveUser(entry.User!, user, connection);
    }

    private static ClusterConnection ResolveCluster(string name, ClusterEntry cluster)
    {
        if (string.IsNullOrEmpty(cluster.Server))
        {
            throw new KubeConfigException($"no server found for cluster \"{name}\"");
        }

        if (!Uri.TryCreate(cluster.Server, UriKind.Absolute, out var server) || (server.Scheme != Uri.UriSchemeHttps && server.Scheme != Uri.UriSchemeHttp))
        {
            throw new KubeConfigException($"invalid server \"{cluster.Server}\" for cluster \"{name}\": it must be an http:// or https:// URL");
        }

        if (cluster.InsecureSkipTlsVerify && (cluster.CertificateAuthorityData is not null || cluster.CertificateAuthority is not null))
        {
            throw new KubeConfigException($"specifying a root certificates file with the insecure flag is not allowed (cluster \"{name}\")");
        }

        var authorities = cluster.CertificateAuthorityData is { } data
            ? Certificates.ReadAuthorities(Encoding.UTF8.GetString(data), $"certificate-authority-data of cluster \"{name}\"")
            : cluster.CertificateAuthority is { } file
                ? Certificates.ReadAuthorities(ReadFile(file, "certificate-authority", $"cluster \"{name}\""), file)
                : null;
        Uri? proxy = null;
        if (!string.IsNullOrEmpty(cluster.ProxyUrl))
        {
            if (!Uri.TryCreate(cluster.ProxyUrl, UriKind.Absolute, out proxy))
            {
                throw new KubeConfigException($"invalid 'proxy-url' \"{cluster.ProxyUrl}\" for cluster \"{name}\": not a URL");
            }

            if (proxy.Scheme is not ("http" or "https" or "socks5"))
            {
                throw new KubeConfigException($"invalid 'proxy-url' \"{cluster.ProxyUrl}\" for cluster \"{name}\": unsupported scheme \"{proxy.Scheme}\", must be http, https, or socks5");
            }
        }

        return new ClusterConnection
        {
            Server = server,
            CertificateAuthorities = authorities,
            InsecureSkipTlsVerify = cluster.InsecureSkipTlsVerify,
            TlsServerName = string.IsNullOrEmpty(cluster.TlsServerName) ? null : cluster.TlsServerName,
            ProxyUrl = proxy,
        };
    }

    private static ClusterConnection ResolveUser(string name, UserEntry user, ClusterConnection connection)
    {
        var where = $"user \"{name}\"";
        if (user.AuthProvider is { } provider)
        {
            throw new KubeConfigException(
                $"the auth-provider \"{provider}\" of {where} is not supported: use an exec credential plugin instead " +
                "(such as gke-gcloud-auth-plugin or kubelogin), as current kubectl also requires");
        }

        var methods = new List<string>();
        if (!string.IsNullOrEmpty(user.Token))
        {
            methods.Add("token");
        }

        if (!string.IsNullOrEmpty(user.Username) || !string.IsNullOrEmpty(user.Password))
        {
            methods.Add("basicAuth");
        }

        if (methods.Count > 1)
        {
            throw new KubeConfigException($"more than one authentication method found for {name}; found [{string.Join(' ', methods)}], only one is allowed");
        }

        var certificatePem = user.ClientCertificateData is { } certificateData ? Encoding.UTF8.GetString(certificateData)
            : user.ClientCertificate is { } certificateFile ? ReadFile(certificateFile, "client-cert", name)
            : null;
        var keyPem = user.ClientKeyData is { } keyData ? Encoding.UTF8.GetString(keyData)
            : user.ClientKey is { } keyFile ? ReadFile(keyFile, "client-key", name)
            : null;
        if (certificatePem is not null && keyPem is null)
        {
            throw new KubeConfigException($"client-key-data or client-key must be specified for {name} to use the clientCert authentication method.");
        }

        if (user.TokenFile is { } tokenFile && !File.Exists(tokenFile))
        {
            throw new KubeConfigException($"unable to read tokenFile {tokenFile} for {name}: no such file");
        }

        return connection with
        {
            BearerToken = string.IsNullOrEmpty(user.Token) ? null : user.Token,
            BearerTokenFile = user.TokenFile,
            Username = string.IsNullOrEmpty(user.Username) ? null : user.Username,
            Password = user.Password,
            ClientCertificate = certificatePem is null ? null : Certificates.ReadClientCertificate(certificatePem, keyPem!, where),
            Exec = user.Exec is { } exec ? ValidateExec(name, exec) : null,
            ImpersonateUser = string.IsNullOrEmpty(user.Impersonate) ? null : user.Impersonate,
            ImpersonateUid = string.IsNullOrEmpty(user.ImpersonateUid) ? null : user.ImpersonateUid,
            ImpersonateGroups = user.ImpersonateGroups,
            ImpersonateExtra = user.ImpersonateExtra,
        };
    }

    private static ExecCredentialPlugin ValidateExec(string name, ExecEntry exec)
    {
        if (string.IsNullOrEmpty(exec.Command))
        {
            throw new KubeConfigException($"command must be specified for {name} to use exec authentication plugin");
        }

        if (string.IsNullOrEmpty(exec.ApiVersion))
        {
            throw new KubeConfigException($"apiVersion must be specified for {name} to use exec authentication plugin");
        }

        if (!SupportedExecApiVersions.Contains(exec.ApiVersion, StringComparer.Ordinal))
        {
            throw new KubeConfigException($"exec plugin: invalid apiVersion \"{exec.ApiVersion}\" for {name}; supported: {string.Join(", ", SupportedExecApiVersions)}");
        }

        if (exec.Env.Any(e => string.IsNullOrEmpty(e.Key)))
        {
            throw new KubeConfigException($"env variable name must be specified for {name} to use exec authentication plugin");
        }

        // v1beta1 defaults to IfAvailable for compatibility; v1 asks the kubeconfig to say it.
        var mode = exec.InteractiveMode ?? (exec.ApiVersion.EndsWith("/v1beta1", StringComparison.Ordinal) ? "IfAvailable" : null);
        if (mode is null)
        {
            throw new KubeConfigException($"interactiveMode must be specified for {name} to use exec authentication plugin");
        }

        if (mode is not ("Never" or "IfAvailable" or "Always"))
        {
            throw new KubeConfigException($"invalid interactiveMode for {name}: \"{mode}\"");
        }

        return new ExecCredentialPlugin
        {
            Command = exec.Command,
            Args = exec.Args,
            Env = exec.Env,
            ApiVersion = exec.ApiVersion,
            InteractiveMode = mode,
            InstallHint = exec.InstallHint,
            ProvideClusterInfo = exec.ProvideClusterInfo,
        };
    }

    private static ClusterEntry ReadCluster(NodeReader reader, YamlMappingNode body, string where, string directory) => new(
        reader.Text(body, "server", where),
        ResolvePath(reader.Text(body, "certificate-authority", where), directory),
        reader.Base64(body, "certificate-authority-data", where),
        reader.Boolean(body, "insecure-skip-tls-verify", where),
        reader.Text(body, "tls-server-name", where),
        reader.Text(body, "proxy-url", where));

    private static UserEntry ReadUser(NodeReader reader, YamlMappingNode body, string where, string directory)
    {
        ExecEntry? exec = null;
        if (reader.OptionalMapping(body, "exec", where) is { } execNode)
        {
            var command = reader.Text(execNode, "command", where + " exec");

            // A command with a path separator is a file next to the kubeconfig; a bare name is looked up on PATH.
            if (command is not null && command.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                command = ResolvePath(command, directory);
            }

            var env = new List<KeyValuePair<string, string>>();
            foreach (var item in reader.List(execNode, "env", where + " exec"))
            {
                var variable = reader.Mapping(item, where + " exec env entry");
                env.Add(new(reader.Text(variable, "name", where + " exec env") ?? string.Empty, reader.Text(variable, "value", where + " exec env") ?? string.Empty));
            }

            exec = new ExecEntry(
                command,
                [.. reader.List(execNode, "args", where + " exec").Select(a => reader.Scalar(a, where + " exec args") ?? string.Empty)],
                env,
                reader.Text(execNode, "apiVersion", where + " exec"),
                reader.Text(execNode, "interactiveMode", where + " exec"),
                reader.Text(execNode, "installHint", where + " exec"),
                reader.Boolean(execNode, "provideClusterInfo", where + " exec"));
        }

        var extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (reader.OptionalMapping(body, "as-user-extra", where) is { } extraNode)
        {
            foreach (var (key, value) in extraNode.Children)
            {
                var keyText = reader.Scalar(key, where + " as-user-extra") ?? string.Empty;
                extra[keyText] = value is YamlSequenceNode values
                    ? [.. values.Select(v => reader.Scalar(v, where + " as-user-extra") ?? string.Empty)]
                    : [reader.Scalar(value, where + " as-user-extra") ?? string.Empty];
            }
        }

        return new UserEntry(
            reader.Text(body, "token", where),
            ResolvePath(reader.Text(body, "tokenFile", where), directory),
            reader.Text(body, "username", where),
            reader.Text(body, "password", where),
            ResolvePath(reader.Text(body, "client-certificate", where), directory),
            reader.Base64(body, "client-certificate-data", where),
            ResolvePath(reader.Text(body, "client-key", where), directory),
            reader.Base64(body, "client-key-data", where),
            exec,
            reader.OptionalMapping(body, "auth-provider", where) is { } provider ? reader.Text(provider, "name", where + " auth-provider") ?? "(unnamed)" : null,
            reader.Text(body, "as", where),
            reader.Text(body, "as-uid", where),
            [.. reader.List(body, "as-groups", where).Select(g => reader.Scalar(g, where + " as-groups") ?? string.Empty)],
            extra);
    }

    private static string? ResolvePath(string? path, string directory) =>
        string.IsNullOrEmpty(path) ? null : Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(directory, path));

    private static string ReadFile(string path, string field, string owner)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KubeConfigException($"unable to read {field} {path} for {owner} due to {e.Message}", e);
        }
    }

    private static bool IsDnsLabel(string value) =>
        value.Length <= 63
        && value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
        && value[0] != '-' && value[^1] != '-';

    private sealed record ClusterEntry(string? Server, string? CertificateAuthority, byte[]? CertificateAuthorityData, bool InsecureSkipTlsVerify, string? TlsServerName, string? ProxyUrl);

    private sealed record ContextEntry(string? Cluster, string? User, string? Namespace);

    private sealed record ExecEntry(
        string? Command,
        IReadOnlyList<string> Args,
        IReadOnlyList<KeyValuePair<string, string>> Env,
        string? ApiVersion,
        string? InteractiveMode,
        string? InstallHint,
        bool ProvideClusterInfo);

    private sealed record UserEntry(
        string? Token,
        string? TokenFile,
        string? Username,
        string? Password,
        string? ClientCertificate,
        byte[]? ClientCertificateData,
        string? ClientKey,
        byte[]? ClientKeyData,
        ExecEntry? Exec,
        string? AuthProvider,
        string? Impersonate,
        string? ImpersonateUid,
        IReadOnlyList<string> ImpersonateGroups,
        IReadOnlyDictionary<string, IReadOnlyList<string>> ImpersonateExtra);

    /// <summary>Typed reads from YAML nodes, with errors naming the file and the entry.</summary>
    private sealed class NodeReader(string file)
    {
        public static bool IsNull(YamlScalarNode scalar) =>
            scalar.Style == ScalarStyle.Plain && (scalar.Value is null or "" or "~" or "null" or "Null" or "NULL");

        public YamlMappingNode Mapping(YamlNode node, string what) =>
            node as YamlMappingNode ?? throw Invalid($"{what} must be a mapping");

        public YamlMappingNode? OptionalMapping(YamlMappingNode map, string key, string where) =>
            Get(map, key) switch
            {
                null => null,
                YamlScalarNode s when IsNull(s) => null,
                YamlMappingNode m => m,
                _ => throw Invalid($"{key} of {where} must be a mapping"),
            };

        public IEnumerable<YamlNode> List(YamlMappingNode map, string key, string where) =>
            Get(map, key) switch
            {
                null => [],
                YamlScalarNode s when IsNull(s) => [],
                YamlSequenceNode sequence => sequence.Children,
                _ => throw Invalid($"{key} of {where} must be a list"),
            };

        /// <summary>The entries of <c>clusters</c>, <c>users</c> or <c>contexts</c>: each a name and a body under <paramref name="bodyKey"/>.</summary>
        public List<(string Name, YamlMappingNode Body)> NamedList(YamlMappingNode top, string key, string bodyKey)
        {
            var entries = new List<(string, YamlMappingNode)>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in List(top, key, "the file"))
            {
                var entry = Mapping(item, $"an entry of {key}");
                var name = Text(entry, "name", $"an entry of {key}");
                if (string.IsNullOrEmpty(name))
                {
                    throw Invalid($"an entry of {key} has no name");
                }

                if (!seen.Add(name))
                {
                    throw Invalid($"duplicate name \"{name}\" in {key}");
                }

                entries.Add((name, OptionalMapping(entry, bodyKey, $"{bodyKey} \"{name}\"") ?? new YamlMappingNode()));
            }

            return entries;
        }

        public string? Text(YamlMappingNode map, string key, string where) =>
            Get(map, key) is { } node ? Scalar(node, $"{key} of {where}") : null;

        public string? Scalar(YamlNode node, string what) =>
            node is YamlScalarNode scalar ? (IsNull(scalar) ? null : scalar.Value) : throw Invalid($"{what} must be a single value");

        public bool Boolean(YamlMappingNode map, string key, string where)
        {
            var text = Text(map, key, where);
            return text?.ToLowerInvariant() switch
            {
                null or "false" or "no" or "off" => false,
                "true" or "yes" or "on" => true,
                _ => throw Invalid($"{key} of {where} must be true or false, not \"{text}\""),
            };
        }

        public byte[]? Base64(YamlMappingNode map, string key, string where)
        {
            var text = Text(map, key, where);
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            try
            {
                return Convert.FromBase64String(text.Trim());
            }
            catch (FormatException)
            {
                throw Invalid($"{key} of {where} is not valid base64");
            }
        }

        private static YamlNode? Get(YamlMappingNode map, string key)
        {
            foreach (var (k, v) in map.Children)
            {
                if (k is YamlScalarNode { Value: { } name } && string.Equals(name, key, StringComparison.Ordinal))
                {
                    return v;
                }
            }

            return null;
        }

        private KubeConfigException Invalid(string problem) =>
            new(string.Create(CultureInfo.InvariantCulture, $"error loading config file \"{file}\": {problem}"));
    }
}
