using System.Security.Cryptography;
using NiSharp.Pipeline;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Pipeline;

/// <summary>The run's pages by level (issue 18): each level owns its pages, the top page shows the latest state of both,
/// and a rerun that changes nothing changes no file.</summary>
[Collection(PipelineCollection.Name)]
public class ReportPagesTests(DemoCohorts cohorts)
{
    private static Dictionary<string, (string Sha, DateTime Written)> Snapshot(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            // The lock file holds the pid of the run that holds it: the lock's own state, not an output.
            .Where(f => f != OutputLock.LockPath(root))
            .ToDictionary(f => Path.GetRelativePath(root, f), f => (Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))), File.GetLastWriteTimeUtc(f)));

    [Fact]
    public void Each_level_owns_its_pages_and_a_participant_rerun_after_the_group_level_changes_no_file()
    {
        var data = cohorts.Planted.DataDirectory;
        var output = cohorts.NewFolder("pages");
        var people = cohorts.Planted.Participants;
        var ids = people.Where(p => p.Diagnosis == DemoDataset.ControlDiagnosis).Take(2)
            .Concat(people.Where(p => p.Diagnosis == DemoDataset.PatientDiagnosis).Take(2)).Select(p => p.Id).ToArray();
        string[] Args(string level, params string[] more) => ["run", data, output, level, "--participant-label", .. ids, .. more];

        var participant = CliRunner.Run(Args("participant"));
        Assert.True(participant.ExitCode == 0, participant.Stdout + participant.Stderr);
        var top = File.ReadAllText(Path.Combine(output, "report.html"));
        Assert.Contains($"{people.Count} subject(s): 4 complete, 0 failed, {people.Count - 4} not run yet", top);
        Assert.Contains("Not run yet with these options: nisharp run", top);
        Assert.Contains($"<a href=\"sub-{ids[0]}/figures/sub-{ids[0]}_", top); // links to the subjects' pages
        Assert.False(File.Exists(GroupLevel.ReportPath(output)));

        var group = CliRunner.Run(Args("group", "--permutations", "200"));
        Assert.True(group.ExitCode == 0, group.Stdout + group.Stderr);
        Assert.Contains($"(the comparison: {GroupLevel.ReportPath(output)})", group.Stdout);
        var groupPage = File.ReadAllText(GroupLevel.ReportPath(output));
        Assert.Contains("NiSharp run: group comparison", groupPage);
        Assert.Contains($"<a href=\"../sub-{ids[0]}/figures/sub-{ids[0]}_", groupPage);
        // The group page explains itself: the groups and their sizes, the test, which p decides, why these edges, the
        // regions' networks, each plot's numbers in its caption.
        Assert.Contains("Groups: CONTROL (n = 2) and SCHZ (n = 2), from participants.tsv column &#39;diagnosis&#39;", groupPage);
        Assert.Contains("Welch&#39;s two-sample t-test, two-sided", groupPage);
        Assert.Contains("An edge is significant when the q of its permutation p is at most 0.05", groupPage);
        Assert.Contains("Edges: every pair of the atlas&#39; default-mode regions", groupPage);
        Assert.Contains("<th>network a</th>", groupPage);
        Assert.Matches("shown as the smallest Welch p among the [0-9]+ (other )?edges\\. CONTROL mean [-0-9.]+ \\(n = 2\\)", groupPage);
        Assert.Contains("Each dot is a subject", groupPage);
        top = File.ReadAllText(Path.Combine(output, "report.html"));
        Assert.Contains("CONTROL (n = 2) vs SCHZ (n = 2)", top);
        Assert.Contains("<a href=\"group/report.html\">group/report.html</a>", top);
        Assert.DoesNotContain("Not run yet with these options", top);

        // The participant level again, every subject already complete: not one file changes, and the top page still
        // shows the group level (it used to be replaced by a participant-only page).
        var before = Snapshot(output);
        var again = CliRunner.Run(Args("participant"));
        Assert.True(again.ExitCode == 0, again.Stdout + again.Stderr);
        Assert.Contains("0 done, 4 already complete", again.Stdout);
        var after = Snapshot(output);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (file, state) in before) Assert.True(state == after[file], $"{file} changed");
        Assert.Contains("CONTROL (n = 2) vs SCHZ (n = 2)", File.ReadAllText(Path.Combine(output, "report.html")));

        // A participant run that does change the outputs (one subject processed again) puts the group results out of
        // date on the top page, and leaves the group page alone.
        var subjectDir = Path.Combine(output, $"sub-{ids[0]}");
        foreach (var f in Directory.GetFiles(subjectDir, "*_timeseries.json", SearchOption.AllDirectories)) File.Delete(f);
        var redo = CliRunner.Run(Args("participant"));
        Assert.True(redo.ExitCode == 0, redo.Stdout + redo.Stderr);
        Assert.Equal(before[Path.Combine("group", "report.html")], Snapshot(output)[Path.Combine("group", "report.html")]);
        top = File.ReadAllText(Path.Combine(output, "report.html"));
        Assert.Contains("The group results are out of date: 1 run(s) were processed again after it", top);

        // Subjects above the motion limits that stay in the comparison: said at the top of the group page.
        var strict = CliRunner.Run(Args("group", "--permutations", "0", "--max-mean-fd", "0.01"));
        Assert.True(strict.ExitCode == 0, strict.Stdout + strict.Stderr);
        groupPage = File.ReadAllText(GroupLevel.ReportPath(output));
        Assert.Contains("<p class=\"note\">4 subject(s) above the motion limits (Parkes et al. 2018) are in this comparison", groupPage);
        Assert.Contains("--exclude-high-motion", groupPage);
        Assert.Contains("4 subject(s) above the motion limits are in the comparison", File.ReadAllText(Path.Combine(output, "report.html")));
    }
}
