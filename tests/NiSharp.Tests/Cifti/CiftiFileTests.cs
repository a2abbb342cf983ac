using System.Text.Json.Nodes;
using CsCheck;
using NiSharp.Cifti;
using NiSharp.Nifti;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Cifti;

/// <summary>
/// CIFTI-2 reading and writing against nibabel: every committed file (Workbench's, nibabel's, the two bundled) reads as
/// nibabel 5.0 read it; written back it reads the same and is byte-stable; the small files NiSharp writes of every kind
/// are the ones nibabel read (<c>tests/fixtures/cifti/make_nibabel_fixtures.py</c>, <c>nibabel_read.json</c>).
/// </summary>
public class CiftiFileTests
{
    private static readonly Lazy<JsonObject> Nibabel = new(() =>
        JsonNode.Parse(File.ReadAllText(TestPaths.Fixture("cifti", "nibabel_read.json")))!.AsObject());

    /// <summary>The files nibabel described that NiSharp did not write (keys are repository paths).</summary>
    public static TheoryData<string> ReadFiles()
    {
        var d = new TheoryData<string>();
        foreach (var (k, _) in Nibabel.Value)
            if (k != "nibabel" && !k.Contains("nisharp-written")) d.Add(k);
        return d;
    }

    /// <summary>A repository path of the fixture JSON as copied beside the tests.</summary>
    private static string Local(string repoPath) => repoPath.StartsWith("data/", StringComparison.Ordinal)
        ? TestPaths.Data(repoPath["data/".Length..].Split('/'))
        : TestPaths.Fixture(repoPath["tests/fixtures/".Length..].Split('/'));

    [Theory]
    [MemberData(nameof(ReadFiles))]
    public void Every_file_reads_as_nibabel_reads_it(string file)
    {
        using var f = CiftiFile.Open(Local(file));
        CiftiDescription.AssertSame(Nibabel.Value[file]!, CiftiDescription.Of(f));
    }

    [Theory]
    [MemberData(nameof(ReadFiles))]
    public void Every_file_written_back_reads_the_same_and_is_byte_stable(string file)
    {
        using var dir = new TempDir();
        using var f = CiftiFile.Open(Local(file));
        var name = "a" + f.Kind.Extension;
        var values = f.ReadMatrix<double>();
        CiftiWriter.Write<double>(dir.File(name), f.Header, values, f.DataType);
        using (var a = CiftiFile.Open(dir.File(name)))
        {
            var expected = Nibabel.Value[file]!.DeepClone().AsObject();
            expected["intent"] = f.Kind.IntentName; // nibabel writes some files with intent 3000 (unknown); NiSharp writes the kind's
            CiftiDescription.AssertSame(expected, CiftiDescription.Of(a));
            Assert.Equal(f.Header.Metadata, a.Header.Metadata);
            CiftiWriter.Write<double>(dir.File("b" + f.Kind.Extension), a.Header, a.ReadMatrix<double>(), a.DataType);
        }
        Assert.True(File.ReadAllBytes(dir.File(name)).AsSpan().SequenceEqual(File.ReadAllBytes(dir.File("b" + f.Kind.Extension))),
            "written twice, the bytes differ");
    }

    /// <summary>The small files NiSharp writes, one of each kind (the shared axis of a dconn and a pconn written once).</summary>
    private static IEnumerable<(string Name, CiftiHeader Header, float[] Values)> Written()
    {
        var b = CiftiFixtures.SmallGrayordinates();
        var p = CiftiFixtures.SmallParcels();
        float[] Values(int rows, int cols) => Enumerable.Range(0, rows * cols).Select(i => (float)(i / cols * 100 + i % cols + 0.25)).ToArray();
        var md = new KeyValuePair<string, string>[] { new("Provenance", "NiSharp tests\nline two & <three>") };
        yield return ("small.dtseries.nii", new CiftiHeader([new SeriesAxis(3, 0, 0.72), b], md), Values(3, 17));
        yield return ("small.dscalar.nii", new CiftiHeader([new ScalarAxis([new("first", [new("unit", "mm")]), new("second", [])]), b]), Values(2, 17));
        yield return ("small.dlabel.nii", new CiftiHeader([new LabelAxis([new("labels", [], CiftiFixtures.SmallLabelTable())]), b]),
            [1, 1, 2, 1, 0, 1, 2, 2, 2, 0, 2, 3, 3, 0, 0, 3, 3]);
        yield return ("small.dconn.nii", new CiftiHeader([b, b]), Values(17, 17));
        yield return ("small.ptseries.nii", new CiftiHeader([new SeriesAxis(4, 8, 2), p]), Values(4, 3));
        yield return ("small.pscalar.nii", new CiftiHeader([new ScalarAxis([new("only", [])]), p]), Values(1, 3));
        yield return ("small.pconn.nii", new CiftiHeader([p, p]), Values(3, 3));
    }

    /// <summary>
    /// Set <c>NISHARP_CIFTI_FIXTURES</c> to <c>tests/fixtures/cifti/nisharp-written</c> to write them there again (then
    /// run make_nibabel_fixtures.py): the committed bytes are the ones nibabel read.
    /// </summary>
    [Fact]
    public void Files_we_write_of_every_kind_are_the_ones_nibabel_read()
    {
        using var dir = new TempDir();
        var regenerate = Environment.GetEnvironmentVariable("NISHARP_CIFTI_FIXTURES");
        foreach (var (name, header, values) in Written())
        {
            var path = CiftiFixtures.Write(dir.File(name), header, values);
            if (!string.IsNullOrEmpty(regenerate))
            {
                File.Copy(path, Path.Combine(regenerate, name), overwrite: true);
                continue;
            }
            var committed = TestPaths.Fixture("cifti", "nisharp-written", name);
            Assert.True(File.ReadAllBytes(path).AsSpan().SequenceEqual(File.ReadAllBytes(committed)), $"{name}: NiSharp no longer writes the bytes nibabel read");
            var nibabel = Nibabel.Value["tests/fixtures/cifti/nisharp-written/" + name]!;
            CiftiDescription.AssertSame(nibabel, CiftiDescription.Of(header, values.Select(v => (double)v).ToArray(), header.Kind.IntentCode, NiftiDataType.Float32));
        }
    }

    [Fact]
    public void Two_dimensions_with_one_axis_share_one_index_map()
    {
        var p = CiftiFixtures.SmallParcels();
        var xml = System.Text.Encoding.UTF8.GetString(new CiftiHeader([p, p]).ToXml());
        Assert.Contains("AppliesToMatrixDimension=\"0,1\"", xml);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(xml, "<MatrixIndicesMap"));
    }

    [Fact]
    public void Blocks_of_rows_equal_the_matrix_for_any_block_and_compression()
    {
        using var dir = new TempDir();
        var b = CiftiFixtures.SmallGrayordinates();
        Gen.Select(Gen.Int[1, 9], Gen.Int[0, 1000], Gen.Bool).Sample((rows, seed, gz) =>
        {
            var rng = new Random(seed);
            var values = Enumerable.Range(0, rows * b.Length).Select(_ => (float)rng.NextDouble()).ToArray();
            var path = CiftiFixtures.Write(dir.File($"r{rows}-{seed}.dtseries.nii" + (gz ? ".gz" : "")), new CiftiHeader([new SeriesAxis(rows, 0, 1), b]), values);
            using var f = CiftiFile.Open(path);
            Assert.Equal(values, f.ReadMatrix<float>());
            int first = rng.Next(rows), count = rng.Next(rows - first + 1);
            for (int pass = 0; pass < 2; pass++) // a second block makes a gzip file inflate into a temporary file
            {
                var block = new double[count * b.Length];
                f.ReadRows<double>(first, count, block);
                for (int i = 0; i < block.Length; i++) Assert.Equal(values[first * b.Length + i], block[i]);
            }
            var column = new float[rows];
            f.ReadColumns<float>(5, 1, column);
            for (int r = 0; r < rows; r++) Assert.Equal(values[r * b.Length + 5], column[r]);
        }, iter: 40);
    }

    [Fact]
    public void Matching_grayordinates_by_vertex_and_voxel_ignores_their_positions()
    {
        var b = CiftiFixtures.SmallGrayordinates();
        Assert.Equal(3, b.IndexOfVertex("CIFTI_STRUCTURE_CORTEX_LEFT", 5));
        Assert.Equal(-1, b.IndexOfVertex("CIFTI_STRUCTURE_CORTEX_LEFT", 1));
        Assert.Equal(6, b.IndexOfVertex("CIFTI_STRUCTURE_CORTEX_RIGHT", 1));
        Assert.Equal(-1, b.IndexOfVertex("CIFTI_STRUCTURE_CEREBELLUM", 1));
        Assert.Equal(13, b.IndexOfVoxel(2, 1, 0));
        Assert.Equal(16, b.IndexOfVoxel(2, 3, 1));
        Assert.Equal(-1, b.IndexOfVoxel(9, 9, 9));
        Assert.Equal("17 grayordinates: CORTEX_LEFT 6 of 12 vertices, CORTEX_RIGHT 5 of 12 vertices, 6 voxels in 2 structures (3×4×2 at 2 mm)", b.Describe());
    }

    [Fact]
    public void The_91k_layout_is_fmripreps()
    {
        var g = NiSharp.Atlases.Templates.Fslr91kGrayordinates();
        Assert.Equal(91282, g.Length);
        Assert.Equal(21, g.Models.Count);
        Assert.Equal([29696, 29716], g.Models.Where(m => m.ModelType == BrainModelType.Surface).Select(m => m.Count));
        Assert.Equal(31870, g.Models.Where(m => m.ModelType == BrainModelType.Voxels).Sum(m => m.Count));
        Assert.Equal([91, 109, 91], g.Volume!.Dimensions);
    }

    [Fact]
    public void A_name_that_says_another_kind_is_refused()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<NiSharpException>(() => CiftiFixtures.Write(dir.File("x.dtseries.nii"), new CiftiHeader([new SeriesAxis(1, 0, 1), CiftiFixtures.SmallParcels()]), new float[3]));
        Assert.Contains("the name says .dtseries.nii but the matrix is a parcellated time series (.ptseries.nii)", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}
