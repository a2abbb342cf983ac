using System.Text;
using NiSharp.Cifti;
using NiSharp.Nifti;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Cifti;

/// <summary>
/// Broken CIFTI gives one line naming the file and the problem, exit code 2 from the CLI, no stack trace: no or
/// malformed XML, a matrix of another size than the XML describes, unknown structures, indices outside their surface or
/// volume, CIFTI-1, dimensions not described.
/// </summary>
public class BadCiftiTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A 3 × 17 dense time series whose XML is the good one changed by <paramref name="edit"/>, its NIfTI matrix
    /// <paramref name="rows"/> × 17, its intent <paramref name="intent"/>; no XML at all when <paramref name="edit"/> gives null.</summary>
    private string Make(string name, Func<string, string?> edit, int rows = 3, int intent = 3002)
    {
        var header = new CiftiHeader([new SeriesAxis(3, 0, 2), CiftiFixtures.SmallGrayordinates()]);
        var xml = edit(Encoding.UTF8.GetString(header.ToXml()));
        var nifti = new NiftiHeader
        {
            Version = 2, Dim = [6, 1, 1, 1, 1, rows, 17, 1], DataType = NiftiDataType.Float32, Bitpix = 32, Pixdim = [0, 1, 1, 1, 1, 1, 1, 1],
            IntentCode = intent, IntentName = "ConnDenseSeries", QformCode = 0, SformCode = 0,
        };
        var path = _dir.File(name);
        using var w = NiftiWriter.Create(path, nifti, xml is null ? [] : [new NiftiExtension(NiftiExtension.CiftiCode, Encoding.UTF8.GetBytes(xml))]);
        w.WriteVolumes<float>(new float[rows * 17]);
        w.Commit();
        return path;
    }

    /// <summary>Opening fails in the library and in <c>nisharp info</c> with one line holding the file and the fragment.</summary>
    private static void Fails(string path, string fragment)
    {
        var e = Assert.Throws<NiSharpException>(() => CiftiFile.Open(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(fragment, e.Message);
        var r = CliRunner.Run("info", path);
        Assert.Equal(2, r.ExitCode);
        var lines = r.Stderr.TrimEnd('\n').Split('\n');
        Assert.Single(lines);
        Assert.Contains(path, lines[0]);
        Assert.Contains(fragment, lines[0]);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void The_good_file_opens() => CiftiFile.Open(Make("good.dtseries.nii", x => x)).Dispose();

    [Fact]
    public void Missing_xml() =>
        Fails(Make("noxml.dtseries.nii", _ => null), "invalid CIFTI file: intent 3002 (ConnDenseSeries) but no CIFTI XML (NIfTI extension 32)");

    [Fact]
    public void Malformed_xml() =>
        Fails(Make("cut.dtseries.nii", x => x[..(x.Length / 2)]), "malformed CIFTI XML:");

    [Fact]
    public void Not_xml_at_all() =>
        Fails(Make("text.dtseries.nii", _ => "hello"), "malformed CIFTI XML:");

    [Fact]
    public void Matrix_size_differs_from_the_index_maps() =>
        Fails(Make("size.dtseries.nii", x => x, rows: 4), "invalid CIFTI file: the matrix is 4×17 but the CIFTI XML describes 3×17 (series × brain models)");

    [Fact]
    public void Unknown_structure() =>
        Fails(Make("structure.dtseries.nii", x => x.Replace("CIFTI_STRUCTURE_BRAIN_STEM", "CIFTI_STRUCTURE_BRAIN_STALK")),
            "invalid CIFTI XML: unknown brain structure 'CIFTI_STRUCTURE_BRAIN_STALK'");

    [Fact]
    public void Vertex_outside_its_surface() =>
        Fails(Make("vertex.dtseries.nii", x => x.Replace(">0 2 3 5 7 9<", ">0 2 3 5 7 12<")),
            "invalid CIFTI XML: BrainModel CORTEX_LEFT: vertex 12 is outside its surface of 12 vertices");

    [Fact]
    public void Voxel_outside_the_volume() =>
        Fails(Make("voxel.dtseries.nii", x => x.Replace("\n2 3 1\n", "\n2 4 1\n")),
            "invalid CIFTI XML: BrainModel BRAIN_STEM: voxel (2, 4, 1) is outside the volume 3×4×2");

    [Fact]
    public void Count_that_disagrees_with_the_indices() =>
        Fails(Make("count.dtseries.nii", x => x.Replace("IndexOffset=\"6\" IndexCount=\"5\"", "IndexOffset=\"6\" IndexCount=\"4\"")),
            "invalid CIFTI XML: BrainModel CORTEX_RIGHT has IndexCount 4 but 5 vertex indices");

    [Fact]
    public void Brain_models_that_do_not_follow_each_other() =>
        Fails(Make("gap.dtseries.nii", x => x.Replace("IndexOffset=\"6\"", "IndexOffset=\"7\"")),
            "invalid CIFTI XML: BrainModel CORTEX_RIGHT starts at index 7, but the brain models before it end at 6");

    [Fact]
    public void Undescribed_dimension() =>
        Fails(Make("dim.dtseries.nii", x => x.Replace("AppliesToMatrixDimension=\"0\"", "AppliesToMatrixDimension=\"2\"")),
            "invalid CIFTI XML: no MatrixIndicesMap describes matrix dimension 0");

    [Fact]
    public void Dimension_described_twice() =>
        Fails(Make("twice.dtseries.nii", x => x.Replace("AppliesToMatrixDimension=\"0\"", "AppliesToMatrixDimension=\"1\"")),
            "invalid CIFTI XML: matrix dimension 1 is described by two MatrixIndicesMap elements");

    [Fact]
    public void Unknown_index_type() =>
        Fails(Make("type.dtseries.nii", x => x.Replace("CIFTI_INDEX_TYPE_SERIES", "CIFTI_INDEX_TYPE_TIME")),
            "invalid CIFTI XML: unknown IndicesMapToDataType 'CIFTI_INDEX_TYPE_TIME'");

    [Fact]
    public void Cifti_1() =>
        Fails(Make("v1.dtseries.nii", x => x.Replace("<CIFTI Version=\"2\">", "<CIFTI Version=\"1.0\">")),
            "CIFTI-1 is not supported: convert it with 'wb_command -cifti-convert -version-convert FILE 2 OUT'");

    [Fact]
    public void A_series_without_a_unit() =>
        Fails(Make("unit.dtseries.nii", x => x.Replace(" SeriesUnit=\"SECOND\"", "")), "invalid CIFTI XML: a series MatrixIndicesMap has no SeriesUnit");

    [Fact]
    public void A_nifti_2_image_that_is_not_cifti()
    {
        var path = _dir.File("plain.nii");
        new Image<float>([2, 2, 2], Affine.Identity, new float[8]).Save(path, NiftiDataType.Float32, new NiftiWriteOptions { Version = 2 });
        var e = Assert.Throws<NiSharpException>(() => CiftiFile.Open(path));
        Assert.Contains("not a CIFTI file: no CIFTI XML (NIfTI extension 32) in this NIfTI-2 image", e.Message);
    }

    [Fact]
    public void A_nifti_1_image_is_not_cifti()
    {
        var path = _dir.File("plain1.nii");
        new Image<float>([2, 2, 2], Affine.Identity, new float[8]).Save(path);
        Assert.Contains("not a CIFTI file: a NIfTI-1 image", Assert.Throws<NiSharpException>(() => CiftiFile.Open(path)).Message);
    }

    [Fact]
    public void A_truncated_extension()
    {
        var path = Make("ext.dtseries.nii", x => x);
        var bytes = File.ReadAllBytes(path);
        BitConverter.GetBytes(1 << 20).CopyTo(bytes, 544); // esize beyond vox_offset
        File.WriteAllBytes(path, bytes);
        Fails(path, "invalid header extension at byte 544");
    }
}
