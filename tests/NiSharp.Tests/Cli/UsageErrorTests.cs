using NiSharp.Atlases;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Cli;

/// <summary>Misspelt flags, commands and names: one line with the nearest valid spelling (issue 18).</summary>
public class UsageErrorTests
{
    [Fact]
    public void A_misspelt_flag_is_one_line_naming_the_nearest_flag_of_that_command()
    {
        var r = CliRunner.Run("run", "/nonexistent/data", "/nonexistent/out", "participant", "--participant-labl", "10165");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("nisharp: unknown option '--participant-labl' for 'nisharp run' (did you mean --participant-label?)\n", r.Stderr);
        // --flag=value spelling, and a flag of a sub-subcommand.
        var eq = CliRunner.Run("plot", "groups", "x.tsv", "--edgs=44-46", "-o", "g.png");
        Assert.Equal("nisharp: unknown option '--edgs' for 'nisharp plot groups' (did you mean --edges?)\n", eq.Stderr);
        // Nothing close: the usage hint instead.
        var far = CliRunner.Run("mean", "x.nii", "--zzzzzzzzzzzz", "-o", "y.nii");
        Assert.Equal(2, far.ExitCode);
        Assert.Contains("nisharp: unknown option '--zzzzzzzzzzzz' for 'nisharp mean'\n", far.Stderr);
        Assert.Contains("Run 'nisharp --help'", far.Stderr);
        // A negative number is a value, not a flag.
        Assert.DoesNotContain("unknown option '-3'", CliRunner.Run("index", "x.nii", "--volumes", "-3", "-o", "y.nii").Stderr);
    }

    [Fact]
    public void Help_and_version_work_wherever_they_are_asked_for()
    {
        // The root's help and version options are made only when the command line holds one of their tokens.
        foreach (var help in new[] { "--help", "-h", "-?" })
        {
            var root = CliRunner.Run(help);
            Assert.Equal(0, root.ExitCode);
            Assert.Contains("--version", root.Stdout);
            Assert.Contains("extract", root.Stdout);
            var sub = CliRunner.Run("extract", help);
            Assert.Equal(0, sub.ExitCode);
            Assert.Contains("--atlas", sub.Stdout);
        }
        Assert.Contains("Usage:", CliRunner.Run().Stdout); // a bare 'nisharp'
        var version = CliRunner.Run("--version");
        Assert.Equal(0, version.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Stdout);
        // A command line in error is described from the whole tree: the misspelt root options are still suggested.
        var misspelt = CliRunner.Run("--versoin");
        Assert.Equal(2, misspelt.ExitCode);
        Assert.Contains("did you mean --version?", misspelt.Stderr);
        Assert.Contains("did you mean --help?", CliRunner.Run("extract", "--hepl").Stderr);
    }

    [Fact]
    public void A_misspelt_command_names_the_nearest_command()
    {
        var r = CliRunner.Run("rn", "a", "b", "participant");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("nisharp: unknown command 'rn' for 'nisharp' (did you mean run?)\n", r.Stderr);
        Assert.StartsWith("nisharp: unknown command 'grops' for 'nisharp plot' (did you mean groups?)", CliRunner.Run("plot", "grops", "x.tsv", "-o", "g.png").Stderr);
    }

    [Fact]
    public void A_misspelt_atlas_or_strategy_names_the_nearest_one()
    {
        var e = Assert.Throws<NiSharpException>(() => Atlas.Load("yeo7-relabled"));
        Assert.StartsWith("unknown atlas 'yeo7-relabled' (did you mean yeo7-relabeled?) (bundled: yeo7,", e.Message);
        var s = Assert.Throws<NiSharpException>(() => NiSharp.Qc.DenoisingStrategies.Find("scrubing.5"));
        Assert.StartsWith("unknown strategy 'scrubing.5' (did you mean scrubbing.5?)", s.Message);
        var r = CliRunner.Run("run", "/nonexistent/data", "/nonexistent/out", "participant", "--atlas", "schaefer100_7n");
        Assert.Equal(2, r.ExitCode);
    }

    [Fact]
    public void Old_and_unified_spellings_of_a_flag_are_the_same_option()
    {
        // One name per concept across commands (--group-column, --edges); the first spellings are a contract and stay.
        var plot = NiSharp.Cli.NisharpCli.BuildRoot().Subcommands.Single(c => c.Name == "plot").Subcommands.Single(c => c.Name == "groups");
        var groupColumn = plot.Options.Single(o => o.Name == "--group-column");
        Assert.Contains("--column", groupColumn.Aliases);
        Assert.Contains("--edge", plot.Options.Single(o => o.Name == "--edges").Aliases);
        var compare = NiSharp.Cli.NisharpCli.BuildRoot().Subcommands.Single(c => c.Name == "compare");
        Assert.Contains("--column", compare.Options.Single(o => o.Name == "--group-column").Aliases);
        Assert.NotNull(NiSharp.Cli.NisharpCli.BuildRoot().Subcommands.Single(c => c.Name == "run").Options.SingleOrDefault(o => o.Name == "--group-column"));
    }

    [Theory]
    [InlineData("DMN", "Default")]
    [InlineData("dmn", "Default")]
    [InlineData("FPN", "Cont")]
    [InlineData("DAN", "DorsAttn")]
    [InlineData("VAN", "SalVentAttn")]
    [InlineData("SMN", "SomMot")]
    [InlineData("VIS", "Vis")]
    [InlineData("LIM", "Limbic")]
    [InlineData("Default", "Default")]
    [InlineData("custom", "custom")]
    public void Network_abbreviations_stand_for_the_yeo_names(string name, string yeo)
    {
        Assert.Equal(yeo, NetworkNames.Canonical(name));
        // Every abbreviation names one of the Yeo 7 networks.
        Assert.All(NetworkNames.Aliases.Values, v => Assert.Contains(v, AtlasCatalog.Yeo7Networks));
        // A network spelt as the atlas spells it wins over the abbreviation's meaning.
        Assert.Equal("DMN", NetworkNames.Resolve("dmn", ["DMN", "Default"]));
        Assert.Equal("Default", NetworkNames.Resolve("DMN", AtlasCatalog.Yeo7Networks));
        Assert.Null(NetworkNames.Resolve("XYZ", AtlasCatalog.Yeo7Networks));
    }
}
