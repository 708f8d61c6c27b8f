using System.Text;

namespace Drover.DevCluster;

/// <summary>The kubeconfig that points kubectl, helm and client libraries at a dev cluster.</summary>
public static class Kubeconfig
{
    public const string ClusterName = "drover-dev";

    /// <summary>The placeholder token a kubeconfig carries when no real one is given.</summary>
    public const string PlaceholderToken = "drover-dev-no-auth";

    public static string Render(Uri server, string? token = null, string? certificateAuthorityPem = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        var text = new StringBuilder();
        text.Append("apiVersion: v1\n");
        text.Append("kind: Config\n");
        text.Append("clusters:\n");
        text.Append("- name: ").Append(ClusterName).Append('\n');
        text.Append("  cluster:\n");
        text.Append("    server: ").Append(server.GetLeftPart(UriPartial.Authority)).Append('\n');
        if (certificateAuthorityPem is not null)
        {
            text.Append("    certificate-authority-data: ").Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(certificateAuthorityPem))).Append('\n');
        }

        text.Append("users:\n");
        text.Append("- name: ").Append(ClusterName).Append('\n');
        // Without authentication the server checks no credentials, but the C# client refuses a user without any.
        text.Append("  user:\n");
        text.Append("    token: ").Append(token ?? PlaceholderToken).Append('\n');
        text.Append("contexts:\n");
        text.Append("- name: ").Append(ClusterName).Append('\n');
        text.Append("  context:\n");
        text.Append("    cluster: ").Append(ClusterName).Append('\n');
        text.Append("    user: ").Append(ClusterName).Append('\n');
        text.Append("    namespace: default\n");
        text.Append("current-context: ").Append(ClusterName).Append('\n');
        return text.ToString();
    }

    public static string Write(string path, Uri server, string? token = null, string? certificateAuthorityPem = null)
    {
        var full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(full, Render(server, token, certificateAuthorityPem));
        return full;
    }
}
