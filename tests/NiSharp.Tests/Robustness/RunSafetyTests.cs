using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using NiSharp.IO;
using NiSharp.Pipeline;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Robustness;

/// <summary>A 6-subject demo cohort (6 mm, 60 volumes; 3 controls, 3 patients) generated once for <see cref="RunSafetyTests"/>.</summary>
public sealed class SmallCohort : IDisposable
{
    private readonly TempDir _root = new();

    /// <summary>The cohort's options.</summary>
    public static DemoOptions Options { get; } = new() { Subjects = 6, VoxelSize = 6, Volumes = 60, Seed = 3, Jobs = 1 };

    /// <summary>The generated dataset (read-only by convention: tests that change it copy it first).</summary>
    public DemoDataset Dataset { get; }

    public SmallCohort() => Dataset = DemoDataset.Generate(Path.Combine(_root.Path, "data"), Options);

    /// <summary>A fresh folder under the fixture's root.</summary>
    public string NewFolder(string name)
    {
        var p = Path.Combine(_root.Path, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(p);
        return p;
    }

    /// <summary>A copy of the dataset to modify.</summary>
    public string CopyOfData(string name)
    {
        var to = NewFolder(name);
        Pipeline.DemoCohorts.Copy(Dataset.DataDirectory, to);
        return to;
    }

    public void Dispose()
    {
        // Undo what the read-only test may have left (if it failed half-way) so the folder can be removed.
        if (!OperatingSystem.IsWindows())
            // Never through links: tests plant loops and links to / (a recursive walk through them would not end, and
            // would change modes far outside the fixture).
            foreach (var d in Directory.EnumerateDirectories(_root.Path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
                try { File.SetUnixFileMode(d, File.GetUnixFileMode(d) | UnixFileMode.UserWrite); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        _root.Dispose();
    }
}

/// <summary>
/// <c>nisharp run</c> reads through symbolic links wherever they lead and never writes into its input or out of its
/// output folder (one rule, <see cref="TreeBoundary"/>): participant labels, filter-file values and links cannot take
/// its writes elsewhere (links that would are refused with a message naming them); two runs on one output folder do
/// not interleave; every text from the input is escaped in the HTML pages.
/// </summary>
[Collection(Pipeline.PipelineCollection.Name)]
public class RunSafetyTests(SmallCohort cohort) : IClassFixture<SmallCohort>
{
    private static string Cli => Path.Combine(AppContext.BaseDirectory, "NiSharp.Cli.dll");

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>Relative path → hash, size and modification time of every file (links described, not followed).</summary>
    private static SortedDictionary<string, string> State(string dir)
    {
        var d = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in Directory.EnumerateFiles(dir, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            var info = new FileInfo(f);
            d[Path.GetRelativePath(dir, f)] = info.LinkTarget is string t ? "link " + t : $"{Hash(f)} {info.Length} {info.LastWriteTimeUtc.Ticks}";
        }
        return d;
    }

    private string FirstBold(string data, out string subject)
    {
        subject = cohort.Dataset.Participants[0].Id;
        return Directory.GetFiles(Path.Combine(data, $"sub-{subject}", "func"), "*_desc-preproc_bold.nii.gz").Single();
    }

    // ------------------------------------------------------------------ symbolic links in the input

    [Fact]
    public void Input_files_and_subject_folders_linked_from_elsewhere_are_read_and_left_unchanged()
    {
        // One file linked to another disk, and one whole subject folder linked there (sub-01 -> /scratch/sub-01).
        var data = cohort.CopyOfData("link-out");
        var elsewhere = cohort.NewFolder("elsewhere");
        var bold = FirstBold(data, out _);
        var moved = Path.Combine(elsewhere, Path.GetFileName(bold));
        File.Move(bold, moved);
        File.CreateSymbolicLink(bold, moved);
        var second = cohort.Dataset.Participants[1].Id;
        var scratch = Path.Combine(elsewhere, $"sub-{second}");
        Directory.Move(Path.Combine(data, $"sub-{second}"), scratch);
        Directory.CreateSymbolicLink(Path.Combine(data, $"sub-{second}"), scratch);
        var before = State(elsewhere);

        var output = cohort.NewFolder("out");
        var r = CliRunner.Run("run", data, output, "participant", "--no-reports", "--jobs", "1");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains($"{cohort.Dataset.Participants.Count} done", r.Stdout);
        Assert.Equal(before, State(elsewhere));
    }

    [Fact]
    public void The_output_may_not_be_where_a_linked_subject_folder_leads()
    {
        var data = cohort.CopyOfData("link-target-out");
        var scratch = cohort.NewFolder("scratch");
        var subject = cohort.Dataset.Participants[0].Id;
        Directory.Move(Path.Combine(data, $"sub-{subject}"), Path.Combine(scratch, $"sub-{subject}"));
        Directory.CreateSymbolicLink(Path.Combine(data, $"sub-{subject}"), Path.Combine(scratch, $"sub-{subject}"));
        var before = State(scratch);
        // OUTPUT_DIR/sub-X would be the linked input folder itself.
        var r = CliRunner.Run("run", data, scratch, "participant", "--no-reports");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"nisharp: error: {scratch}: OUTPUT_DIR overlaps {Path.Combine(scratch, $"sub-{subject}")}/", r.Stderr);
        Assert.Contains("where input files of", r.Stderr);
        Assert.Equal(before, State(scratch));
    }

    [Fact]
    public void Links_inside_the_input_or_into_an_annex_store_are_followed()
    {
        // A DataLad dataset: derivatives/fmriprep's files link into the superdataset's .git/annex/objects.
        var super = cohort.NewFolder("datalad");
        var data = Path.Combine(super, "derivatives", "fmriprep");
        Directory.CreateDirectory(data);
        Pipeline.DemoCohorts.Copy(cohort.Dataset.DataDirectory, data);
        int linked = 0;
        foreach (var f in Directory.GetFiles(data, "*.nii.gz", SearchOption.AllDirectories))
        {
            var key = Path.Combine(super, ".git", "annex", "objects", "Xx", "Yy", $"MD5E-s{linked}", Path.GetFileName(f));
            Directory.CreateDirectory(Path.GetDirectoryName(key)!);
            File.Move(f, key);
            File.CreateSymbolicLink(f, Path.GetRelativePath(Path.GetDirectoryName(f)!, key));
            linked++;
        }
        // And one file linked to a copy elsewhere inside the input folder.
        var bold = FirstBold(data, out _);
        var inside = Path.Combine(data, "sourcedata-copy.nii.gz");
        File.Copy(new FileInfo(bold).ResolveLinkTarget(true)!.FullName, inside);
        File.Delete(bold);
        File.CreateSymbolicLink(bold, inside);

        var output = cohort.NewFolder("out");
        var r = CliRunner.Run("run", data, output, "participant", "--no-reports", "--jobs", "1");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.True(linked > 3);
    }

    [Fact]
    public void A_dangling_link_fails_its_subject_with_a_message()
    {
        var data = cohort.CopyOfData("dangling");
        var bold = FirstBold(data, out var victim);
        File.Delete(bold);
        File.CreateSymbolicLink(bold, Path.Combine(data, "not-fetched.nii.gz"));
        var output = cohort.NewFolder("out");
        var r = CliRunner.Run("run", data, output, "participant", "--no-reports", "--jobs", "1");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"sub-{victim} failed: {bold}: is a symbolic link to {Path.Combine(data, "not-fetched.nii.gz")}, which does not exist (a DataLad file not fetched? run 'datalad get')", r.Stderr);
    }

    [Fact]
    public void A_dataset_description_linked_from_outside_is_read()
    {
        var data = cohort.CopyOfData("desc-link");
        var elsewhere = cohort.NewFolder("elsewhere");
        var desc = Path.Combine(data, "dataset_description.json");
        File.Move(desc, Path.Combine(elsewhere, "dataset_description.json"));
        File.CreateSymbolicLink(desc, Path.Combine(elsewhere, "dataset_description.json"));
        var before = State(elsewhere);
        var output = cohort.NewFolder("out");
        var r = CliRunner.Run("run", data, output, "participant", "--no-reports", "--participant-label", cohort.Dataset.Participants[0].Id);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(before, State(elsewhere));
    }

    // ------------------------------------------------------------------ symbolic links in the output

    [Fact]
    public void A_subject_output_folder_linked_to_elsewhere_fails_that_subject_and_writes_nothing_there()
    {
        var output = cohort.NewFolder("out");
        var elsewhere = cohort.NewFolder("elsewhere");
        var victim = cohort.Dataset.Participants[1].Id;
        Directory.CreateSymbolicLink(Path.Combine(output, $"sub-{victim}"), elsewhere);
        var r = CliRunner.Run("run", cohort.Dataset.DataDirectory, output, "participant", "--jobs", "1");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"sub-{victim} failed:", r.Stderr);
        Assert.Contains($"outside the output folder {output}", r.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere));

        // The group level reads no outputs through it either.
        var g = CliRunner.Run("run", cohort.Dataset.DataDirectory, output, "group", "--permutations", "100");
        Assert.Contains($"sub-{victim} not included", g.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere));
    }

    [Fact]
    public void A_logs_folder_or_lock_file_linked_to_elsewhere_is_refused_and_nothing_outside_changes()
    {
        var elsewhere = cohort.NewFolder("elsewhere");
        var precious = Path.Combine(elsewhere, "precious.txt");
        File.WriteAllText(precious, "must survive");
        var leftover = Path.Combine(elsewhere, "x.tsv" + AtomicFile.TemporaryMarker + "12345678");
        File.WriteAllText(leftover, "not ours to delete");
        var before = State(elsewhere);

        var a = cohort.NewFolder("out-logs");
        Directory.CreateSymbolicLink(Path.Combine(a, "logs"), elsewhere);
        var r = CliRunner.Run("run", cohort.Dataset.DataDirectory, a, "participant", "--no-reports");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{Path.Combine(a, "logs")}: leads to {elsewhere}", r.Stderr);

        var b = cohort.NewFolder("out-lock");
        Directory.CreateDirectory(Path.Combine(b, "logs"));
        File.CreateSymbolicLink(OutputLock.LockPath(b), precious);
        r = CliRunner.Run("run", cohort.Dataset.DataDirectory, b, "participant", "--no-reports");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{OutputLock.LockPath(b)}: is a symbolic link; nisharp will not write through it", r.Stderr);

        // Leftover temporary files are cleaned inside the output only, not through a linked folder.
        var c = cohort.NewFolder("out-leftovers");
        Directory.CreateSymbolicLink(Path.Combine(c, "sourcedata"), elsewhere);
        using (var l = OutputLock.Acquire(c)) Assert.Equal(0, l.RemoveLeftovers(c));

        Assert.Equal(before, State(elsewhere));
    }

    // ------------------------------------------------------------------ labels and filters

    [Theory]
    [InlineData("../../etc")]
    [InlineData("/etc/passwd")]
    [InlineData("01/../../x")]
    [InlineData("sub-..")]
    public void A_participant_label_cannot_name_a_path(string label)
    {
        var output = cohort.NewFolder("out");
        var r = CliRunner.Run("run", cohort.Dataset.DataDirectory, output, "participant", "--participant-label", label);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("is not a BIDS subject label", r.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(output));
    }

    [Theory]
    [InlineData("""{"bold": {"subject": "../../etc"}}""")]
    [InlineData("""{"bold": {"task": "/etc/passwd", "session": ["..", "/"]}}""")]
    [InlineData("""{"bold": {"extension": "../../../../etc/passwd"}}""")]
    public void Filter_file_values_only_filter_and_never_name_files(string filter)
    {
        var dir = cohort.NewFolder("filter");
        var file = Path.Combine(dir, "filter.json");
        File.WriteAllText(file, filter);
        var output = cohort.NewFolder("out");
        var r = CliRunner.Run("run", cohort.Dataset.DataDirectory, output, "participant", "--bids-filter-file", file);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no preprocessed BOLD run", r.Stderr);
        Assert.Contains("matching the BIDS filter file", r.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(output));
    }

    // ------------------------------------------------------------------ escaping

    [Fact]
    public void Every_text_from_the_input_is_escaped_in_the_html_pages()
    {
        const string Hostile = "<script>alert('x')</script>&\"";
        var dir = cohort.NewFolder("hostile");
        var atlas = Path.Combine(dir, "atlas.nii.gz");
        var labels = Path.Combine(dir, "labels.tsv");
        Assert.Equal(0, CliRunner.Run("atlases", "yeo7-relabeled", "-o", atlas, "--labels-out", labels).ExitCode);
        var table = TsvTable.Read(labels);
        int name = table.IndexOf("name"), network = table.IndexOf("network");
        var rows = table.Rows.Select(r =>
        {
            var c = r.ToArray();
            c[name] = c[name] + " " + Hostile;
            if (network >= 0 && c[network] != "n/a") c[network] = c[network] + Hostile;
            return c;
        }).ToList();
        new TsvTable(table.Columns, rows).Write(labels);

        var output = cohort.NewFolder("out");
        var p = CliRunner.Run("run", cohort.Dataset.DataDirectory, output, "participant", "--atlas", atlas, "--atlas-labels", labels, "--jobs", "1");
        Assert.True(p.ExitCode == 0, p.Stdout + p.Stderr);
        var g = CliRunner.Run("run", cohort.Dataset.DataDirectory, output, "group", "--atlas", atlas, "--atlas-labels", labels,
            "--permutations", "100", "--edges", "1-2,3-4");
        Assert.True(g.ExitCode == 0, g.Stdout + g.Stderr);

        var pages = Directory.GetFiles(output, "*.html", SearchOption.AllDirectories);
        Assert.True(pages.Length >= cohort.Dataset.Participants.Count + 1, $"{pages.Length} pages");
        bool sawEscaped = false;
        foreach (var page in pages)
        {
            var html = File.ReadAllText(page);
            Assert.DoesNotContain("<script>alert", html);
            Assert.DoesNotContain("alert('x')</script>", html);
            // (The label reader drops the quote character, so the name ends at the ampersand.)
            sawEscaped |= html.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;", StringComparison.Ordinal)
                          || html.Contains("\\u003Cscript\\u003Ealert", StringComparison.Ordinal);
            // Every <script> element is NiSharp's own (the viewer's code and JSON), none from the data.
            foreach (Match m in Regex.Matches(html, "<script[^>]*>"))
                Assert.Matches("^<script( type=\"(application/json|module)\"( id=\"[a-z-]+\")?)?>$", m.Value);
        }
        Assert.True(sawEscaped, "the hostile label names appear on no page");
    }

    [SkippableFact]
    public void The_viewer_escapes_label_names_and_titles()
    {
        Skip.IfNot(NiSharp.Plotting.VolumeViewer.IsAvailable, "this build has no viewer bundle (npm was missing)");
        const string Hostile = "</script><script>alert(1)</script>";
        var dir = cohort.NewFolder("viewer");
        var atlas = Path.Combine(dir, "atlas.nii.gz");
        Assert.Equal(0, CliRunner.Run("atlases", "yeo7", "-o", atlas).ExitCode);
        var lut = Path.Combine(dir, "lut.tsv");
        File.WriteAllText(lut, "index\tname\n" + string.Join("", Enumerable.Range(1, 7).Select(i => $"{i}\tnet{i} {Hostile}\n")));
        var page = Path.Combine(dir, "view.html");
        var r = CliRunner.Run("view", atlas, "--overlay", atlas, "--lut", lut, "--title", Hostile, "-o", page);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var html = File.ReadAllText(page);
        Assert.DoesNotContain("<script>alert(1)", html);
        Assert.DoesNotContain("</script><script>alert", html);
    }

    // ------------------------------------------------------------------ two runs at once

    [SkippableFact]
    public void A_second_run_on_the_same_output_is_refused_while_the_first_runs_and_the_first_is_unaffected()
    {
        Skip.IfNot(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "advisory file locks between processes");
        var data = cohort.Dataset.DataDirectory;
        var output = cohort.NewFolder("concurrent");
        string[] three = ["--participant-label", .. cohort.Dataset.Participants.Take(3).Select(p => p.Id)];
        // The reference: the same run alone, in the same folder, then moved aside.
        var reference = CliRunner.Run(["run", data, output, "participant", "--jobs", "1", "--permutations", "200", .. three]);
        Assert.True(reference.ExitCode == 0, reference.Stderr);
        var expected = KillHarness.Snapshot(output);
        Directory.Delete(output, true);

        using var first = KillHarness.Start(Cli, data, output, "participant", three);
        var lockFile = OutputLock.LockPath(output);
        var clock = Stopwatch.StartNew();
        while (!File.Exists(lockFile) || new FileInfo(lockFile).Length == 0)
        {
            Assert.False(first.HasExited, "the first run ended before it could be raced");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the first run never took the lock");
            Thread.Sleep(5);
        }
        // The second run: in this process (the lock is the operating system's, between any two openers).
        var second = CliRunner.Run(["run", data, output, "participant", "--jobs", "1", "--permutations", "200", .. three]);
        bool firstStillRunning = !first.HasExited;
        first.WaitForExit();
        Assert.Equal(2, second.ExitCode);
        Assert.Contains($"nisharp: error: {output}: another nisharp run is writing to this folder", second.Stderr);
        Assert.True(firstStillRunning, "the second run was refused only after the first had finished: not a race");
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(expected, KillHarness.Snapshot(output));
    }

    // ------------------------------------------------------------------ inputs are read only

    [SkippableFact]
    public void A_read_only_input_is_processed_and_left_exactly_as_it_was()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "Unix permissions");
        if (OperatingSystem.IsLinux()) ReadOnlyInput();
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private void ReadOnlyInput()
    {
        var data = cohort.CopyOfData("read-only");
        var before = State(data);
        // Remove every write permission. Root ignores them, so there also mount the folder read-only when allowed.
        var dirs = Directory.GetDirectories(data, "*", SearchOption.AllDirectories).Append(data).ToArray();
        foreach (var f in Directory.GetFiles(data, "*", SearchOption.AllDirectories)) File.SetUnixFileMode(f, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var rx = UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        foreach (var d in dirs) File.SetUnixFileMode(d, rx);
        bool mounted = Environment.UserName == "root" && SpecialFiles.Exec("mount", "--bind", data, data) == 0;
        try
        {
            if (mounted && SpecialFiles.Exec("mount", "-o", "remount,ro,bind", data) != 0) { SpecialFiles.Exec("umount", data); mounted = false; }
            Skip.If(Environment.UserName == "root" && !mounted, "root ignores permissions and a read-only bind mount is not allowed here");
            var output = cohort.NewFolder("out");
            // Two controls and two patients: enough for both levels.
            var four = cohort.Dataset.Participants.Where(x => !x.IsPatient).Take(2).Concat(cohort.Dataset.Participants.Where(x => x.IsPatient).Take(2)).Select(x => x.Id);
            string[] labels = ["--participant-label", .. four];
            var p = CliRunner.Run(["run", data, output, "participant", "--jobs", "1", .. labels]);
            Assert.True(p.ExitCode == 0, p.Stdout + p.Stderr);
            var g = CliRunner.Run(["run", data, output, "group", "--permutations", "100", .. labels]);
            Assert.True(g.ExitCode == 0, g.Stdout + g.Stderr);
        }
        finally
        {
            if (mounted) SpecialFiles.Exec("umount", data);
            foreach (var d in dirs) File.SetUnixFileMode(d, rx | UnixFileMode.UserWrite);
        }
        // Same files, same bytes, same modification times.
        Assert.Equal(before, State(data));
    }
}
