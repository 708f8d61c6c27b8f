namespace Drover.Bench;

internal static class Repository
{
    /// <summary>The repository a harness runs in: the first directory from <paramref name="start"/> up that holds Operator.sln.</summary>
    public static string? Find(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Operator.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
