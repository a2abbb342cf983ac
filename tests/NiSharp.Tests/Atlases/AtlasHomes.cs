using System.Globalization;
using System.Text;
using NiSharp.Atlases;
using NiSharp.Nifti;

namespace NiSharp.Tests.Atlases;

/// <summary>
/// Atlas homes built in a test from the bundled Schaefer 2018 files renamed: a TemplateFlow home
/// (<c>tpl-SPACE/tpl-SPACE_res-02_atlas-Schaefer2018_desc-100Parcels7Networks_dseg.nii.gz</c> and its <c>dseg.tsv</c>), a
/// BIDS-Atlas dataset (<c>atlas-Schaefer100/atlas-Schaefer100_space-SPACE_res-02_dseg.nii.gz</c>,
/// <c>atlas-Schaefer100_dseg.tsv</c>), probabilistic maps, and a small 4D BOLD on an 8 mm MNI grid.
/// </summary>
internal static class AtlasHomes
{
    public const string AtlasName = "Schaefer2018";
    public const string Desc = "100Parcels7Networks";
    public const string Spec = "templateflow:Schaefer2018:100Parcels7Networks";

    /// <summary>The bundled Schaefer 100-parcel, 7-network image (2 mm FSL MNI152 grid).</summary>
    public static string SchaeferImage => BundledData.PathOf(AtlasCatalog.Find("schaefer100-7")!.ImageFile);

    /// <summary>The dseg.tsv names: the bundled ones rewritten (<c>7Networks_LH_Vis_1</c> → <c>LH Vis 1</c>, with
    /// <paramref name="decorate"/> applied), so that a test sees the table's names and not the bundled ones.</summary>
    public static IReadOnlyList<AtlasLabel> Names(Func<string, string>? decorate = null) =>
        NiSharp.Atlases.Atlas.BundledLabels(AtlasCatalog.Find("schaefer100-7")!).Regions
            .Select(l => l with { Name = (decorate ?? (s => s))(string.Join(' ', l.Name.Split('_').Skip(1))), Abbreviation = "P" + l.Id.ToString(CultureInfo.InvariantCulture) })
            .ToList();

    /// <summary>Writes a BIDS dseg.tsv: index, name, abbreviation, network, color.</summary>
    public static void WriteDsegTsv(string path, IEnumerable<AtlasLabel> labels)
    {
        var sb = new StringBuilder("index\tname\tabbreviation\tnetwork\tcolor\n");
        foreach (var l in labels)
            sb.Append(CultureInfo.InvariantCulture, $"{l.Id}\t{l.Name}\t{l.Abbreviation ?? "n/a"}\t{l.Network ?? "n/a"}\t{l.Colour?.Hex ?? "n/a"}\n");
        File.WriteAllText(path, sb.ToString());
    }

    /// <summary>A TemplateFlow home under <paramref name="root"/> with the Schaefer atlas in <paramref name="space"/> at res-02
    /// (the bundled file's bytes) and, when asked, at res-01 (the same labels with a 1 mm header: only its voxel size matters).</summary>
    public static string TemplateFlow(string root, string space, IReadOnlyList<AtlasLabel> names, bool withRes01 = false)
    {
        var tpl = Path.Combine(root, "tpl-" + space);
        Directory.CreateDirectory(tpl);
        File.Copy(SchaeferImage, Path.Combine(tpl, $"tpl-{space}_res-02_atlas-{AtlasName}_desc-{Desc}_dseg.nii.gz"), overwrite: true);
        if (withRes01)
        {
            var img = Image.Load<int>(SchaeferImage);
            new Image<int>(img.Shape, Affine.Diagonal(1, 1, 1, -90, -126, -72), img.Data).Save(Path.Combine(tpl, $"tpl-{space}_res-01_atlas-{AtlasName}_desc-{Desc}_dseg.nii.gz"));
        }
        WriteDsegTsv(Path.Combine(tpl, $"tpl-{space}_atlas-{AtlasName}_desc-{Desc}_dseg.tsv"), names);
        return root;
    }

    /// <summary>A BIDS-Atlas dataset under <paramref name="root"/> with atlas <c>Schaefer100</c> in <paramref name="space"/>.</summary>
    public static string Dataset(string root, string space, IReadOnlyList<AtlasLabel> names)
    {
        var folder = Path.Combine(root, "atlas-Schaefer100");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(root, "dataset_description.json"), """{"Name": "Test atlases", "BIDSVersion": "1.10.0", "DatasetType": "atlas"}""");
        File.Copy(SchaeferImage, Path.Combine(folder, $"atlas-Schaefer100_space-{space}_res-02_dseg.nii.gz"), overwrite: true);
        WriteDsegTsv(Path.Combine(folder, "atlas-Schaefer100_dseg.tsv"), names);
        File.WriteAllText(Path.Combine(folder, "atlas-Schaefer100_dseg.json"), """{"Name": "Schaefer 2018, 100 parcels", "License": "MIT"}""");
        return root;
    }

    /// <summary>Three probabilistic maps (boxes with a linear ramp) on a 4 mm MNI grid, as TemplateFlow's
    /// <c>tpl-SPACE_res-04_atlas-Boxes_probseg.nii.gz</c> with its <c>probseg.tsv</c>; returns the image path.</summary>
    public static string Probseg(string root, string space)
    {
        var tpl = Path.Combine(root, "tpl-" + space);
        Directory.CreateDirectory(tpl);
        int nx = 46, ny = 55, nz = 46, n = nx * ny * nz;
        var data = new float[n * 3];
        for (int m = 0; m < 3; m++)
            for (int k = 14; k < 32; k++)
                for (int j = 10 + 12 * m; j < 22 + 12 * m; j++)
                    for (int i = 8; i < 38; i++)
                        data[m * n + i + nx * (j + ny * k)] = 0.25f + 0.02f * (i % 10);
        var path = Path.Combine(tpl, $"tpl-{space}_res-04_atlas-Boxes_probseg.nii.gz");
        new Image<float>([nx, ny, nz, 3], Affine.Diagonal(4, 4, 4, -90, -126, -72), data).Save(path);
        File.WriteAllText(Path.Combine(tpl, $"tpl-{space}_atlas-Boxes_probseg.tsv"), "index\tname\n1\tanterior box\n2\tmiddle box\n3\tposterior box\n");
        return path;
    }

    /// <summary>A 4D BOLD of 6 volumes on an 8 mm grid covering MNI space (seeded noise around 100), named for
    /// <paramref name="space"/>; returns its path.</summary>
    public static string Bold(string dir, string space, double voxel = 8)
    {
        int nx = (int)Math.Ceiling(182 / voxel), ny = (int)Math.Ceiling(218 / voxel), nz = (int)Math.Ceiling(182 / voxel), n = nx * ny * nz;
        var rng = new Random(3);
        var data = new float[n * 6];
        for (int i = 0; i < data.Length; i++) data[i] = 100 + (float)(rng.NextDouble() * 10);
        var path = Path.Combine(dir, $"sub-01_task-rest_space-{space}_desc-preproc_bold.nii.gz");
        new Image<float>([nx, ny, nz, 6], Affine.Diagonal(voxel, voxel, voxel, -90, -126, -72), data).Save(path);
        return path;
    }
}
