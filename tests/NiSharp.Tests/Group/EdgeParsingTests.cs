using MathNet.Numerics.LinearAlgebra;
using NiSharp.Connectome;
using NiSharp.Group;

namespace NiSharp.Tests.Group;

/// <summary>The one edge rule (<c>A-B</c>): label-id pairs for <c>compare --edges</c>, names or ids for <c>plot groups --edge</c>.</summary>
public class EdgeParsingTests
{
    [Theory]
    [InlineData("44-46", "44", "46")]
    [InlineData("Vis-1-Default-2", "Vis", "1-Default-2")]
    [InlineData("-3-4", "-3", "4")]
    public void An_edge_splits_at_its_first_dash_after_the_first_character(string token, string a, string b) =>
        Assert.Equal((a, b), ConnectomeFeatures.SplitEdge(token));

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("44")]
    public void Text_without_such_a_dash_is_no_edge(string token) => Assert.Null(ConnectomeFeatures.SplitEdge(token));

    [Theory]
    [InlineData("44-46-3")]
    [InlineData("-44-46")]
    [InlineData("44-")]
    [InlineData("a-b")]
    public void Label_pairs_refuse_what_is_not_two_ids(string token)
    {
        var e = Assert.Throws<NiSharpException>(() => ConnectomeFeatures.ParseEdges(token));
        Assert.Equal($"edges: '{token}' is not a pair of label ids like 44-46", e.Message);
    }

    [Fact]
    public void A_matrix_edge_is_found_by_region_name_or_by_label_id()
    {
        // Named regions whose ids come from a sidecar: 7 is the third region although its name ends in 1.
        var regions = new[] { new Region("Vis_1", 3), new Region("Default-PFC", 5), new Region("SomMot_1", 7) };
        var m = new ConnectivityMatrix(regions, Matrix<double>.Build.Dense(3, 3, (i, j) => 10 * i + j), "sub-01_relmat.tsv");
        Assert.Equal((0, 1), ConnectomeFeatures.FindEdge(m, "Vis_1-Default-PFC"));
        Assert.Equal((2, 1), ConnectomeFeatures.FindEdge(m, "7-5"));
        var e = Assert.Throws<NiSharpException>(() => ConnectomeFeatures.FindEdge(m, "3-9"));
        Assert.Equal("sub-01_relmat.tsv: edge '3-9': no region '9' in the matrix header", e.Message);
        Assert.Equal("--edge '44': expected A-B", Assert.Throws<NiSharpException>(() => ConnectomeFeatures.FindEdge(m, "44")).MessageNaming(n => "--" + n));
    }
}
