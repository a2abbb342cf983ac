using System.Text.Json.Nodes;
using NiSharp.Atlases;
using NiSharp.IO;
using NiSharp.Pipeline;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Atlases;

/// <summary>
/// Atlases where users keep them: a TemplateFlow home and a BIDS-Atlas dataset built in the test from the bundled Schaefer
/// files give the very signals of the same file given by path, named by their dseg.tsv; probseg goes to the maps masker;
/// the space and resolution are chosen from the BOLD; what is missing is one line that says what exists.
/// </summary>
public class AtlasSourceTests
{
    private static CliRunner.Result Ok(params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        return r;
    }

    private static JsonObject Json(string path) => (JsonObject)JsonNode.Parse(File.ReadAllText(path))!;

    [Fact]
    public void TemplateFlow_and_bids_atlas_give_the_bytes_of_the_same_file_by_path_with_the_dseg_tsv_names()
    {
        using var dir = new TempDir();
        var names = AtlasHomes.Names();
        var home = AtlasHomes.TemplateFlow(dir.File("tf"), TemplateSpace.MNI152NLin6Asym, names);
        var dataset = AtlasHomes.Dataset(dir.File("atlases"), TemplateSpace.MNI152NLin6Asym, names);
        var bold = AtlasHomes.Bold(dir.Path, TemplateSpace.MNI152NLin6Asym);
        var file = Path.Combine(home, "tpl-MNI152NLin6Asym", "tpl-MNI152NLin6Asym_res-02_atlas-Schaefer2018_desc-100Parcels7Networks_dseg.nii.gz");
        var table = Path.Combine(home, "tpl-MNI152NLin6Asym", "tpl-MNI152NLin6Asym_atlas-Schaefer2018_desc-100Parcels7Networks_dseg.tsv");

        var r = Ok("extract", bold, "--atlas", AtlasHomes.Spec, "--templateflow-home", home, "-o", dir.File("tf.tsv"));
        Assert.DoesNotContain("warning: atlas", r.Stderr); // same space: nothing to say
        Ok("extract", bold, "--atlas", "Schaefer100", "--atlas-dataset", dataset, "-o", dir.File("ds.tsv"));
        Ok("extract", bold, "--atlas", file, "--labels", table, "-o", dir.File("path.tsv"));
        Ok("extract", bold, "--atlas", file, "-o", dir.File("beside.tsv")); // the dseg.tsv beside the image, found as BIDS finds it

        var expected = File.ReadAllBytes(dir.File("path.tsv"));
        foreach (var f in new[] { "tf.tsv", "ds.tsv", "beside.tsv" }) Assert.Equal(expected, File.ReadAllBytes(dir.File(f)));
        var ts = TsvTable.Read(dir.File("tf.tsv"));
        Assert.Equal(names.Select(l => l.Name), ts.Columns);
        Assert.Contains("LH Vis 1", ts.Columns);
        Assert.True(ts.GetNumbers("LH Vis 1").All(double.IsFinite));

        // The sidecars say which atlas, from where, in which space; the region names are the table's.
        var tf = Json(dir.File("tf.json"));
        Assert.Equal(AtlasHomes.Spec, tf["Atlas"]!["Name"]!.GetValue<string>());
        Assert.Equal("templateflow", tf["Atlas"]!["Origin"]!.GetValue<string>());
        Assert.Equal("MNI152NLin6Asym", tf["Atlas"]!["Space"]!.GetValue<string>());
        Assert.Equal("02", tf["Atlas"]!["Resolution"]!.GetValue<string>());
        Assert.Equal("MNI152NLin6Asym", tf["Atlas"]!["DataSpace"]!.GetValue<string>());
        Assert.Contains("tpl-MNI152NLin6Asym/tpl-MNI152NLin6Asym_res-02_atlas-Schaefer2018_desc-100Parcels7Networks_dseg.nii.gz", tf["Atlas"]!["Source"]!.GetValue<string>());
        Assert.Equal(names.Select(l => l.Name), tf[RegionTimeSeriesFile.NamesKey]!.AsArray().Select(n => n!.GetValue<string>()));
        var ds = Json(dir.File("ds.json"));
        Assert.Equal("bids-atlas", ds["Atlas"]!["Origin"]!.GetValue<string>());
        Assert.Equal("MIT", ds["Atlas"]!["Metadata"]!["License"]!.GetValue<string>());
        // The same bytes give the same content hash wherever they lie.
        Assert.Equal(tf["Atlas"]!["ContentHash"]!.GetValue<string>(), Json(dir.File("path.json"))["Atlas"]!["ContentHash"]!.GetValue<string>());
    }

    [Fact]
    public void The_resolution_nearest_the_bold_voxels_is_chosen_reading_headers_only()
    {
        using var dir = new TempDir();
        var home = AtlasHomes.TemplateFlow(dir.Path, TemplateSpace.MNI152NLin6Asym, AtlasHomes.Names(), withRes01: true);
        var spec = new AtlasSpec { Atlas = AtlasHomes.Spec, TemplateFlowHome = home };
        Assert.Equal("02", AtlasResolver.Resolve(spec, new AtlasTarget("MNI152NLin6Asym", 2.5)).Resolution);
        Assert.Equal("02", AtlasResolver.Resolve(spec, new AtlasTarget("MNI152NLin6Asym", 8)).Resolution);
        Assert.Equal("01", AtlasResolver.Resolve(spec, new AtlasTarget("MNI152NLin6Asym", 1.2)).Resolution);
        Assert.Equal("01", AtlasResolver.Resolve(spec, new AtlasTarget("MNI152NLin6Asym", 1.5)).Resolution); // a tie goes to the finer
        Assert.Equal("01", AtlasResolver.Resolve(spec, new AtlasTarget("MNI152NLin6Asym", null)).Resolution); // unknown: the finest
        // The space comes from the BOLD's name, the voxel size from its header.
        var target = AtlasTarget.OfBold(AtlasHomes.Bold(dir.Path, TemplateSpace.MNI152NLin6Asym));
        Assert.Equal(new AtlasTarget("MNI152NLin6Asym", 8), target);
        Assert.Equal("MNI152NLin2009cAsym", AtlasTarget.OfBold(AtlasHomes.Bold(dir.Path, TemplateSpace.MNI152NLin6Asym), "MNI152NLin2009cAsym").Space);

        // Listing reads names only: the home's atlases, spaces and resolutions.
        var listing = AtlasListing.Of(new TemplateFlowHome(home).AtlasFiles()).Single();
        Assert.Equal("Schaefer2018:100Parcels7Networks", listing.Name);
        Assert.Equal("MNI152NLin6Asym (res-01, res-02)", listing.Spaces);
    }

    [Fact]
    public void A_missing_space_is_one_line_naming_the_spaces_and_resolutions_that_exist()
    {
        using var dir = new TempDir();
        var home = AtlasHomes.TemplateFlow(dir.File("tf"), TemplateSpace.MNI152NLin6Asym, AtlasHomes.Names(), withRes01: true);
        var bold = AtlasHomes.Bold(dir.Path, TemplateSpace.MNI152NLin2009cAsym);
        var r = CliRunner.Run("extract", bold, "--atlas", AtlasHomes.Spec, "--templateflow-home", home, "-o", dir.File("x.tsv"));
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains("not in space MNI152NLin2009cAsym", line);
        Assert.Contains("it exists in MNI152NLin6Asym (res-01, res-02)", line);
        Assert.Contains("never downloads", line);
        Assert.Contains("--atlas-space MNI152NLin6Asym", line);
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.False(File.Exists(dir.File("x.tsv")));

        // Other misses say what is there.
        Assert.Contains("no desc-400Parcels7Networks", Fails(new AtlasSpec { Atlas = "templateflow:Schaefer2018:400Parcels7Networks", TemplateFlowHome = home }));
        Assert.Contains("no atlas 'Gordon'", Fails(new AtlasSpec { Atlas = "templateflow:Gordon", TemplateFlowHome = home }));
        Assert.Contains("did you mean Schaefer2018", Fails(new AtlasSpec { Atlas = "templateflow:schaefer2018", TemplateFlowHome = home }));
        Assert.Contains("the TemplateFlow home does not exist", Fails(new AtlasSpec { Atlas = AtlasHomes.Spec, TemplateFlowHome = dir.File("nowhere") }));
        Assert.Contains("templateflow:ATLAS[:DESC]", Fails(new AtlasSpec { Atlas = "templateflow:Schaefer-2018", TemplateFlowHome = home }));
        string Fails(AtlasSpec spec) => Assert.Throws<NiSharpException>(() => AtlasResolver.Resolve(spec, new AtlasTarget("MNI152NLin6Asym", 2))).Message;
    }

    [Fact]
    public void An_atlas_in_another_space_is_resampled_with_one_warning_naming_both()
    {
        using var dir = new TempDir();
        var home = AtlasHomes.TemplateFlow(dir.File("tf"), TemplateSpace.MNI152NLin6Asym, AtlasHomes.Names());
        var bold = AtlasHomes.Bold(dir.Path, TemplateSpace.MNI152NLin2009cAsym);
        var r = Ok("extract", bold, "--atlas", AtlasHomes.Spec, "--templateflow-home", home, "--atlas-space", "MNI152NLin6Asym", "-o", dir.File("x.tsv"));
        var warning = Assert.Single(r.Stderr.Split('\n'), l => l.Contains("warning: atlas"));
        Assert.Contains("is in MNI152NLin6Asym but the BOLD is in MNI152NLin2009cAsym", warning);
        Assert.Contains("resampled", warning);
        var atlas = Json(dir.File("x.json"))["Atlas"]!;
        Assert.Equal("MNI152NLin6Asym", atlas["Space"]!.GetValue<string>());
        Assert.Equal("MNI152NLin2009cAsym", atlas["DataSpace"]!.GetValue<string>());
        // The bundled atlases carry their space (FSL MNI152) too.
        Assert.Equal("MNI152NLin6Asym", Atlas.Load("schaefer100-7").Space);
        Ok("extract", bold, "--atlas", "schaefer100-7", "-o", dir.File("b.tsv"));
        Assert.Equal("MNI152NLin6Asym", Json(dir.File("b.json"))["Atlas"]!["Space"]!.GetValue<string>());
        // A file says its space by its name, or by --atlas-space; a file that says neither is not compared.
        Assert.Equal("MNI152NLin2009cAsym", AtlasResolver.Resolve(new AtlasSpec { Atlas = bold }).Space);
        Assert.Null(AtlasResolver.Resolve(new AtlasSpec { Atlas = AtlasHomes.SchaeferImage }).Space);
        Assert.Equal("MNI152NLin6Asym", AtlasResolver.Resolve(new AtlasSpec { Atlas = AtlasHomes.SchaeferImage, Space = "MNI152NLin6" }).Space);
    }

    [Fact]
    public void Probseg_goes_to_the_maps_masker_with_its_table_names()
    {
        using var dir = new TempDir();
        var maps = AtlasHomes.Probseg(dir.File("tf"), TemplateSpace.MNI152NLin6Asym);
        var bold = AtlasHomes.Bold(dir.Path, TemplateSpace.MNI152NLin6Asym);
        var r = Ok("extract", bold, "--atlas", "templateflow:Boxes", "--templateflow-home", dir.File("tf"), "-o", dir.File("tf.tsv"));
        Assert.Contains("3 regions (maps", r.Stdout);
        Ok("extract", bold, "--atlas", maps, "-o", dir.File("path.tsv"));
        Assert.Equal(File.ReadAllBytes(dir.File("path.tsv")), File.ReadAllBytes(dir.File("tf.tsv")));
        Assert.Equal(["anterior box", "middle box", "posterior box"], TsvTable.Read(dir.File("tf.tsv")).Columns);
        var json = Json(dir.File("tf.json"));
        Assert.Equal("NiftiMapsMasker", json["masker"]!["masker"]!.GetValue<string>());
        Assert.Equal("probseg", json["Atlas"]!["Kind"]!.GetValue<string>());
        // The participant level takes label atlases: a probseg is refused up front, naming the command that takes it.
        var source = AtlasResolver.Resolve(new AtlasSpec { Atlas = "templateflow:Boxes", TemplateFlowHome = dir.File("tf") }, new AtlasTarget("MNI152NLin6Asym", 8));
        Assert.Equal(AtlasKind.Maps, source.Kind);
        Assert.Contains("maps masker", Assert.Throws<NiSharpException>(source.LoadLabels).Message);
    }

    [Fact]
    public void Bids_atlas_datasets_are_read_as_xcpd_reads_them()
    {
        using var dir = new TempDir();
        var names = AtlasHomes.Names();
        var a = AtlasHomes.Dataset(dir.File("a"), TemplateSpace.MNI152NLin6Asym, names);
        var b = AtlasHomes.Dataset(dir.File("b"), TemplateSpace.MNI152NLin6Asym, names);
        var target = new AtlasTarget("MNI152NLin6Asym", 2);
        var source = AtlasResolver.Resolve(new AtlasSpec { Atlas = "Schaefer100", Datasets = [a] }, target);
        Assert.Equal(AtlasOrigin.BidsAtlasDataset, source.Origin);
        Assert.Equal(Path.Combine(a, "atlas-Schaefer100", "atlas-Schaefer100_dseg.tsv"), source.LabelsPath);
        Assert.Equal("Schaefer100", DerivativeNames.AtlasLabel(source));
        Assert.Equal(names[0], source.ReadLabels()![1]); // name, abbreviation, network and colour as written
        Assert.Equal("P1", source.ReadLabels()![1]!.Abbreviation);

        // The same atlas in two datasets is ambiguous (XCP-D refuses it too); a bundled name still resolves beside datasets.
        Assert.Contains("in several BIDS-Atlas datasets", Assert.Throws<NiSharpException>(() => AtlasResolver.Resolve(new AtlasSpec { Atlas = "Schaefer100", Datasets = [a, b] }, target)).Message);
        Assert.Equal(AtlasOrigin.Bundled, AtlasResolver.Resolve(new AtlasSpec { Atlas = "schaefer100-7", Datasets = [a] }, target).Origin);
        // A dataset image without a label table is refused (XCP-D needs index and name columns).
        File.Delete(Path.Combine(b, "atlas-Schaefer100", "atlas-Schaefer100_dseg.tsv"));
        Assert.Contains("no label table", Assert.Throws<NiSharpException>(() => AtlasResolver.Resolve(new AtlasSpec { Atlas = "Schaefer100", Datasets = [b] }, target)).Message);
        Assert.Contains("in the BIDS-Atlas datasets: Schaefer100", Assert.Throws<NiSharpException>(() => AtlasResolver.Resolve(new AtlasSpec { Atlas = "Gordon", Datasets = [a] }, target)).Message);
        Assert.Contains("does not exist", Assert.Throws<NiSharpException>(() => AtlasResolver.Resolve(new AtlasSpec { Atlas = "Gordon", Datasets = [dir.File("none")] }, target)).Message);
    }

    [Fact]
    public void Nisharp_atlases_lists_the_templateflow_home_and_the_datasets()
    {
        using var dir = new TempDir();
        var names = AtlasHomes.Names();
        var home = AtlasHomes.TemplateFlow(dir.File("tf"), TemplateSpace.MNI152NLin6Asym, names, withRes01: true);
        AtlasHomes.Probseg(home, TemplateSpace.MNI152NLin2009cAsym);
        var dataset = AtlasHomes.Dataset(dir.File("atlases"), TemplateSpace.MNI152NLin6Asym, names);
        var r = Ok("atlases", "--templateflow-home", home, "--atlas-dataset", dataset);
        Assert.Contains("schaefer100-7", r.Stdout);
        Assert.Matches(@"templateflow:Schaefer2018:100Parcels7Networks +dseg +MNI152NLin6Asym \(res-01, res-02\)", r.Stdout);
        Assert.Matches(@"templateflow:Boxes +probseg +MNI152NLin2009cAsym \(res-04\)", r.Stdout);
        Assert.Contains($"BIDS-Atlas dataset Test atlases: {dataset}", r.Stdout);
        Assert.Matches(@"Schaefer100 +dseg +MNI152NLin6Asym \(res-02\)", r.Stdout);
        var json = (JsonObject)JsonNode.Parse(Ok("atlases", "--json", "--templateflow-home", home, "--atlas-dataset", dataset).Stdout)!;
        Assert.Equal(2, json["templateflow"]!["atlases"]!.AsArray().Count);
        Assert.Equal("Schaefer100", json["datasets"]![0]!["atlases"]![0]!["atlas"]!.GetValue<string>());
        // One of them by name: where it is and its names, without reading the image.
        var show = Ok("atlases", AtlasHomes.Spec, "--templateflow-home", home, "--atlas-space", "MNI152NLin6Asym");
        Assert.Contains("res-01", show.Stdout);
        Assert.Contains("LH Vis 1", show.Stdout);
        Assert.Contains("no home at", Ok("atlases", "--templateflow-home", dir.File("nowhere")).Stdout);
    }

    [Fact]
    public void Dseg_tsv_tables_of_templateflow_xcpd_and_nilearn_are_read()
    {
        var t = LabelTable.Parse(["index\tname\tabbreviation\tcolor\tnetwork", "0\tBackground\tn/a\tn/a\tn/a", "1\tCortex, left\tCtxL\t255,0,0\tVis", "2\tHippocampus\tHip\t#00ff00\tn/a"], "dseg.tsv");
        Assert.Equal(new AtlasLabel(1, "Cortex, left", "Vis", new Rgba(255, 0, 0), "CtxL"), t[1]);
        Assert.Equal(new AtlasLabel(2, "Hippocampus", null, new Rgba(0, 255, 0), "Hip"), t[2]);
        // Quotes as pandas reads them: a quoted cell loses its quotes, quotes inside a name stay.
        var q = LabelTable.Parse(["index\tname", "1\t\"Left, \"\"upper\"\"\"", "2\tArea \"4a\"", "3\t<b>x</b> & \"ü\""], "q.tsv");
        Assert.Equal(["Left, \"upper\"", "Area \"4a\"", "<b>x</b> & \"ü\""], q.Regions.Select(l => l.Name));
        // XCP-D's older atlas tables: label and network_label columns.
        var x = LabelTable.Parse(["index\tlabel\tcifti_label\tnetwork_label", "1\tL_Default_1\tParcel_1\tDefault"], "atlas-Gordon_dseg.tsv");
        Assert.Equal(new AtlasLabel(1, "L_Default_1", "Default"), x[1]);
    }

    [Fact]
    public void Space_rules()
    {
        Assert.True(TemplateSpace.Same("MNI152NLin6", "MNI152NLin6Asym"));
        Assert.False(TemplateSpace.Same("MNI152NLin6Asym", "MNI152NLin2009cAsym"));
        Assert.Equal("MNI152NLin6Asym", TemplateSpace.OfFile("/x/tpl-MNI152NLin6Asym_res-02_atlas-A_dseg.nii.gz"));
        Assert.Equal("MNI152NLin2009cAsym", TemplateSpace.OfFile("atlas-A_space-MNI152NLin2009cAsym_dseg.nii.gz"));
        Assert.Null(TemplateSpace.OfFile("Schaefer2018_100Parcels_7Networks_order_FSLMNI152_2mm.nii.gz"));
        Assert.Null(TemplateSpace.MismatchWarning("a", "MNI152NLin6Asym", null));
        Assert.Null(TemplateSpace.MismatchWarning("a", "MNI152NLin6", "MNI152NLin6Asym"));
        Assert.Contains("a subject's own space", TemplateSpace.MismatchWarning("a", "MNI152NLin6Asym", "T1w"));
        Assert.Equal("Schaefer2018100Parcels7Networks", DerivativeNames.AtlasLabel("/x/tpl-MNI152NLin6Asym_res-02_atlas-Schaefer2018_desc-100Parcels7Networks_dseg.nii.gz"));
    }
}
