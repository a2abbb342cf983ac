using NiSharp.Tests.Support;

namespace NiSharp.Tests.Bids;

/// <summary>Builds dataset folders of empty files (and a few small JSON/TSV files) for layout tests.</summary>
internal static class BidsTree
{
    /// <summary>Creates each relative path under <paramref name="root"/> as an empty file, or with the given text.</summary>
    public static void Create(string root, IEnumerable<string> relativePaths, IReadOnlyDictionary<string, string>? contents = null)
    {
        foreach (var rel in relativePaths)
        {
            var path = Path.Combine(root, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, contents is not null && contents.TryGetValue(rel, out var text) ? text : "");
        }
        if (contents is null) return;
        foreach (var (rel, text) in contents)
        {
            var path = Path.Combine(root, rel);
            if (File.Exists(path)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }
    }

    /// <summary>The lesson's four subjects.</summary>
    public static readonly string[] LessonSubjects = ["10438", "10788", "11108", "50052"];

    /// <summary>
    /// The lesson's ds000030 fMRIPrep derivatives (episode 02): sub-10788 as printed by <c>tree</c>, the other
    /// subjects relabelled from it, without T1w-space functional files for 10438 and 11108 (as the lesson's
    /// <c>space='T1w'</c> query shows), and a dataset_description.json.
    /// </summary>
    public static string CreateLessonDataset(TempDir dir)
    {
        var root = Path.Combine(dir.Path, "ds000030", "derivatives", "fmriprep");
        var listing = File.ReadAllLines(TestPaths.Fixture("bids", "lesson_sub-10788_tree.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        Assert.Equal(53, listing.Length);
        var paths = new List<string>();
        foreach (var s in LessonSubjects)
        {
            foreach (var p in listing.Select(l => l.Replace("10788", s)))
            {
                if (s is "10438" or "11108" && p.Contains("/func/") && p.Contains("space-T1w")) continue;
                paths.Add(p);
            }
        }
        var contents = new Dictionary<string, string>
        {
            ["dataset_description.json"] = """
                {"Name": "fMRIPrep - fMRI PREProcessing workflow", "BIDSVersion": "1.4.0", "DatasetType": "derivative",
                 "GeneratedBy": [{"Name": "fMRIPrep", "Version": "20.2.1", "CodeURL": "https://github.com/nipreps/fmriprep/archive/20.2.1.tar.gz"}]}
                """,
            ["sub-10788/func/sub-10788_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.json"] =
                """{"RepetitionTime": 2.0, "SkullStripped": false, "TaskName": "rest"}""",
        };
        Create(root, paths, contents);
        return root;
    }

    /// <summary>Paths relative to <paramref name="root"/> with '/' separators, for comparing with the lesson's listings.</summary>
    public static string[] Relative(string root, IEnumerable<string> paths) =>
        paths.Select(p => Path.GetRelativePath(root, p).Replace('\\', '/')).ToArray();
}
