namespace Drover.ControllerRuntime.Tests.Client;

/// <summary>Writes kubeconfig files (and the files they point at) into a temporary directory that goes away with it.</summary>
public sealed class KubeconfigFiles : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("kubeconfig").FullName;

    /// <summary>A kubeconfig with one cluster <c>c</c>, one user <c>u</c> and a current context <c>ctx</c> joining them.</summary>
    /// <param name="cluster">The lines under <c>cluster:</c>, unindented.</param>
    /// <param name="user">The lines under <c>user:</c>, unindented; empty writes <c>user: {}</c>.</param>
    /// <param name="context">Extra lines under <c>context:</c>, unindented.</param>
    /// <param name="name">The file's path under the directory.</param>
    public string Write(string cluster, string user = "", string context = "", string name = "config")
    {
        var text = $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster:
            {Indent(cluster, 4)}
            users:
            - name: u
            {(user.Trim().Length == 0 ? "  user: {}" : "  user:\n" + Indent(user, 4))}
            contexts:
            - name: ctx
              context:
                cluster: c
                user: u
            {Indent(context, 4)}
            current-context: ctx
            """;
        return WriteFile(name, text);
    }

    public string WriteFile(string name, string text)
    {
        var path = Path.Combine(Directory, name);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A shell script made executable, for exec credential plugins.</summary>
    public string WriteScript(string name, string body)
    {
        var path = WriteFile(name, "#!/bin/sh\n" + body.ReplaceLineEndings("\n"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    /// <summary>Moves a block to <paramref name="spaces"/> of indentation, keeping its inner structure.</summary>
    private static string Indent(string lines, int spaces)
    {
        var kept = lines.ReplaceLineEndings("\n").Split('\n').Where(l => l.Trim().Length > 0).ToList();
        if (kept.Count == 0)
        {
            return string.Empty;
        }

        var common = kept.Min(l => l.Length - l.TrimStart(' ').Length);
        return string.Join('\n', kept.Select(l => new string(' ', spaces) + l[common..]));
    }
}
