using Drover.CrdGen;

// Usage: Drover.CrdGen --output <dir>   writes the CRD manifests
//        Drover.CrdGen --check <dir>    exits 1 when the manifests in <dir> are not what the types generate
if (args.Length != 2 || args[0] is not ("--output" or "--check"))
{
    Console.Error.WriteLine("usage: Drover.CrdGen --output <dir> | --check <dir>");
    return 2;
}

var directory = args[1];
var files = CrdGenerator.Generate();
if (args[0] == "--output")
{
    Directory.CreateDirectory(directory);
    foreach (var file in files)
    {
        var path = Path.Combine(directory, file.FileName);
        File.WriteAllText(path, file.Content);
        Console.WriteLine($"wrote {path}");
    }

    return 0;
}

var differences = ManifestCheck.Differences(files, directory);
foreach (var difference in differences)
{
    Console.Error.WriteLine(difference);
}

if (differences.Count > 0)
{
    Console.Error.WriteLine($"{differences.Count} CRD manifest(s) in {directory} are out of date; run `make manifests`.");
    return 1;
}

Console.WriteLine($"{files.Count} CRD manifests in {directory} are up to date.");
return 0;
