using System.Security.Cryptography;
using NiSharp.IO;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Robustness;

/// <summary>
/// The bad-input corpus (<c>tests/fixtures/badinput</c>, described by <c>cases.tsv</c>): every broken file
/// run through the command that meets it in practice, in-process. An error case must exit with the
/// documented code, print exactly one line on stderr naming the file and the problem (the expected
/// fragment), no stack trace, and leave the output folder empty. A warning case (NaN voxels, a label file
/// naming labels the image lacks) completes, prints one warning line naming the file, and leaves no
/// temporary file.
/// </summary>
public class BadInputCorpusTests
{
    /// <summary>One row of cases.tsv.</summary>
    public sealed record Case(string Name, string Kind, string File, int ExitCode, string Message, string Command)
    {
        /// <inheritdoc />
        public override string ToString() => Name;
    }

    private static string Corpus => TestPaths.Fixture("badinput");

    /// <summary>The cases, read from the table.</summary>
    public static IReadOnlyList<Case> Cases
    {
        get
        {
            var t = TsvTable.Read(Path.Combine(Corpus, "cases.tsv"));
            return t.Rows.Select(r => new Case(r[t.IndexOf("case")], r[t.IndexOf("kind")], r[t.IndexOf("file")],
                int.Parse(r[t.IndexOf("exit")], System.Globalization.CultureInfo.InvariantCulture), r[t.IndexOf("message")], r[t.IndexOf("command")])).ToList();
        }
    }

    /// <summary>Case names for the theory (so each case is reported on its own).</summary>
    public static TheoryData<string> CaseNames
    {
        get
        {
            var d = new TheoryData<string>();
            foreach (var c in Cases) d.Add(c.Name);
            return d;
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Bad_input_gives_one_line_naming_the_file_and_leaves_no_output(string name)
    {
        var c = Cases.Single(x => x.Name == name);
        using var outDir = new TempDir();
        string Expand(string s) => s.Replace("{in}", Corpus).Replace("{out}", outDir.Path);
        // Split first, then expand, so folders with spaces in their names stay one argument.
        var args = c.Command.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Expand).ToArray();
        // "-": an option at fault rather than a file; the message names the option instead.
        string? file = c.File == "-" ? null : c.File.StartsWith("{out}", StringComparison.Ordinal) ? Expand(c.File) : Path.Combine(Corpus, c.File);

        var r = CliRunner.Run(args);

        Assert.True(c.ExitCode == r.ExitCode, $"{name}: exit code {r.ExitCode}, expected {c.ExitCode}; stderr: {r.Stderr}");
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.DoesNotContain("Exception", r.Stderr);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"{name}: expected one line on stderr, got {lines.Length}: {r.Stderr}");
        var line = lines[0];
        Assert.StartsWith(c.Kind == "error" ? "nisharp: error: " : "nisharp: warning: ", line);
        if (file is not null) Assert.True(line.Contains(file + ": ", StringComparison.Ordinal), $"{name}: the line does not name {file}: {line}");
        Assert.True(line.Contains(c.Message, StringComparison.Ordinal), $"{name}: expected '{c.Message}' in: {line}");

        var left = Directory.EnumerateFileSystemEntries(outDir.Path, "*", SearchOption.AllDirectories).ToList();
        if (c.Kind == "error")
        {
            Assert.Equal("", r.Stdout);
            Assert.True(left.Count == 0, $"{name}: left behind {string.Join(", ", left)}");
        }
        else
        {
            Assert.NotEmpty(left);
            Assert.DoesNotContain(left, AtomicFile.IsTemporary);
        }
    }

    [Fact]
    public void The_corpus_holds_at_least_thirty_cases_over_every_input_kind()
    {
        var cases = Cases;
        Assert.True(cases.Count >= 30, $"{cases.Count} cases");
        Assert.Equal(cases.Count, cases.Select(c => c.Name).Distinct().Count());
        foreach (var prefix in new[] { "nifti-", "confounds-", "sidecar-", "atlas-", "bids-" })
            Assert.Contains(cases, c => c.Name.StartsWith(prefix, StringComparison.Ordinal));
        foreach (var c in cases)
        {
            Assert.Contains(c.Kind, new[] { "error", "warning" });
            Assert.True(c.Kind == "error" ? c.ExitCode != 0 : c.ExitCode == 0, c.Name);
        }
    }

    [Fact]
    public void Running_the_corpus_never_modifies_an_input()
    {
        var before = Snapshot();
        foreach (var c in Cases.Where(c => c.Kind == "error").Take(12).Concat(Cases.Where(c => c.Kind == "warning")))
        {
            using var outDir = new TempDir();
            CliRunner.Run(c.Command.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(s => s.Replace("{in}", Corpus).Replace("{out}", outDir.Path)).ToArray());
        }
        Assert.Equal(before, Snapshot());
    }

    private static SortedDictionary<string, string> Snapshot()
    {
        var d = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in Directory.EnumerateFiles(Corpus, "*", SearchOption.AllDirectories))
        {
            var info = new FileInfo(f);
            d[Path.GetRelativePath(Corpus, f)] = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))) + " " + info.LastWriteTimeUtc.Ticks;
        }
        Assert.DoesNotContain(d.Keys, k => AtomicFile.IsTemporary(k));
        return d;
    }
}
