using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NiSharp.Atlases;
using NiSharp.Imaging;

namespace NiSharp.Cli.Commands;

/// <summary>
/// <c>nisharp atlases [NAME] [--json] [--templateflow-home DIR] [--atlas-dataset DIR]… [-o OUT [--labels-out TSV]]</c>:
/// the bundled atlases, templates and coordinate sets, and the atlases of the TemplateFlow home and of the given BIDS-Atlas
/// datasets (read from file names: no image is opened); with a name, its labels, and with <c>-o</c> a copy of it on disk.
/// </summary>
internal static class AtlasesCommand
{
    public static Command Create()
    {
        var name = new Argument<string?>("NAME") { Description = "An atlas to show (its labels) or export: a bundled name, templateflow:ATLAS[:DESC], or NAME[:DESC] of an --atlas-dataset", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var output = new Option<string?>("--output", "-o") { Description = "Write the atlas image here (int32)" };
        var labelsOut = new Option<string?>("--labels-out") { Description = "With --output: write its labels as TSV" };
        var cmd = new Command("atlases", "List the bundled atlases (label counts, grids, licences), templates and coordinate sets, and the atlases of the TemplateFlow home and BIDS-Atlas datasets")
        {
            name, json, output, labelsOut,
        };
        var sources = new AtlasSourceOptions();
        sources.AddTo(cmd);
        cmd.SetAction(p =>
        {
            var o = p.Out();
            var n = p.GetValue(name);
            var spec = sources.Spec(p, n ?? "", null);
            var home = new TemplateFlowHome(spec.TemplateFlowDirectory);
            var datasets = spec.Datasets.Select(d => new BidsAtlasDataset(d)).ToList();
            if (n is null)
            {
                var list = AtlasCatalog.All.Select(Summary).ToList();
                if (p.GetValue(json))
                {
                    var node = new JsonObject
                    {
                        ["atlases"] = new JsonArray(list.Select(s => (JsonNode)s).ToArray()),
                        ["templates"] = new JsonArray(Templates.All.Select(t => (JsonNode)new JsonObject
                        {
                            ["name"] = t.Name, ["description"] = t.Description, ["grid"] = Grid.Of(BundledData.PathOf(t.File)).Describe(), ["licence"] = t.Licence,
                        }).ToArray()),
                        ["grayordinate_atlases"] = new JsonArray(AtlasCatalog.Grayordinate.Select(g => (JsonNode)GrayordinateSummary(g)).ToArray()),
                        ["coordinates"] = new JsonArray(CoordinateAtlas.Names.Select(c => (JsonNode)new JsonObject { ["name"] = c, ["regions"] = CoordinateAtlas.Load(c).Count }).ToArray()),
                        ["templateflow"] = new JsonObject
                        {
                            ["home"] = home.Directory,
                            ["exists"] = home.Exists,
                            ["atlases"] = ListingJson(AtlasListing.Of(home.AtlasFiles()), AtlasSpec.TemplateFlowPrefix),
                        },
                        ["datasets"] = new JsonArray(datasets.Select(d => (JsonNode)new JsonObject
                        {
                            ["path"] = d.Directory, ["name"] = d.Name, ["atlases"] = ListingJson(AtlasListing.Of(d.AtlasFiles()), ""),
                        }).ToArray()),
                    };
                    o.WriteLine(node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                    return 0;
                }
                o.WriteLine("Atlases (Atlas.Load(name); nisharp resample NAME --target BOLD --interpolation nearest)");
                foreach (var s in list)
                    o.WriteLine($"  {s["name"],-19} {s["labels"],4} labels  {s["grid"],-38} {s["description"]}");
                o.WriteLine();
                o.WriteLine("Grayordinate atlases (GrayordinateAtlas.Load(name); nisharp extract X.dtseries.nii --atlas NAME)");
                foreach (var g in AtlasCatalog.Grayordinate)
                {
                    var gs = GrayordinateSummary(g);
                    o.WriteLine($"  {g.Name,-19} {gs["labels"],4} labels  {g.Space + ", map " + g.Map,-38} {g.Description}");
                }
                o.WriteLine();
                o.WriteLine(home.Exists
                    ? $"TemplateFlow {home.Directory} (--atlas templateflow:ATLAS[:DESC], taken in the BOLD's space)"
                    : $"TemplateFlow: no home at {home.Directory} (set TEMPLATEFLOW_HOME or give --templateflow-home; NiSharp never downloads)");
                WriteListing(o, AtlasListing.Of(home.AtlasFiles()), AtlasSpec.TemplateFlowPrefix, home.Exists);
                foreach (var d in datasets)
                {
                    o.WriteLine($"BIDS-Atlas dataset {d.Name}: {d.Directory} (--atlas-dataset {d.Directory} --atlas NAME[:DESC])");
                    WriteListing(o, AtlasListing.Of(d.AtlasFiles()), "", true);
                }
                o.WriteLine();
                o.WriteLine("Templates (Templates.Load(name))");
                foreach (var t in Templates.All)
                    o.WriteLine($"  {t.Name,-25} {Grid.Of(BundledData.PathOf(t.File)).Describe(),-38} {t.Description}");
                o.WriteLine();
                o.WriteLine("Coordinates (CoordinateAtlas.Load(name))");
                foreach (var c in CoordinateAtlas.Names)
                    o.WriteLine($"  {c,-19} {CoordinateAtlas.Load(c).Count,4} regions (MNI mm), nilearn package data, BSD-3-Clause");
                o.WriteLine();
                o.WriteLine("Licences");
                foreach (var a in AtlasCatalog.All) o.WriteLine($"  {a.Name,-25} {a.Licence}");
                foreach (var g in AtlasCatalog.Grayordinate) o.WriteLine($"  {g.Name,-25} {g.Licence}");
                foreach (var t in Templates.All) o.WriteLine($"  {t.Name,-25} {t.Licence}");
                return 0;
            }
            if (AtlasCatalog.FindGrayordinate(n) is { } gi) return ShowGrayordinate(p, gi);
            var source = AtlasResolver.Resolve(spec);
            if (source.Origin is AtlasOrigin.TemplateFlow or AtlasOrigin.BidsAtlasDataset && p.GetValue(output) is null) return ShowFound(p, source);
            var atlas = source.LoadLabels();
            if (p.GetValue(output) is { } outPath)
            {
                atlas.Save(outPath, p.GetValue(labelsOut));
                o.WriteLine($"{outPath}: {atlas.Name}, {atlas.Image.ShapeText()} int32, {atlas.LabelsPresent.Count} labels");
                return 0;
            }
            if (p.GetValue(json))
            {
                var s = Summary(atlas.Info ?? throw new NiSharpException($"'{n}' is not a bundled atlas"));
                s["labels_table"] = new JsonArray(atlas.Labels.Regions.Select(l => (JsonNode)new JsonObject
                {
                    ["index"] = l.Id, ["name"] = l.Name, ["network"] = l.Network, ["color"] = l.Colour?.Hex,
                }).ToArray());
                o.WriteLine(s.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            o.WriteLine($"{atlas.Name}: {atlas.Info?.Description}");
            o.WriteLine($"  grid     {atlas.Grid.Describe()}, space {atlas.Info?.Space}");
            o.WriteLine($"  labels   {atlas.LabelsPresent.Count}");
            o.WriteLine($"  licence  {atlas.Info?.Licence}");
            foreach (var l in atlas.Labels.Regions)
                o.WriteLine($"  {l.Id.ToString(CultureInfo.InvariantCulture),5}  {l.Name,-45} {l.Network ?? "",-12} {l.Colour?.Hex ?? ""}");
            return 0;
        });
        return cmd;
    }

    private static void WriteListing(TextWriter o, IReadOnlyList<AtlasListing> atlases, string prefix, bool searched)
    {
        if (searched && atlases.Count == 0) o.WriteLine("  (no atlas images)");
        int width = atlases.Select(a => prefix.Length + a.Name.Length).DefaultIfEmpty(0).Max();
        foreach (var a in atlases)
            o.WriteLine($"  {(prefix + a.Name).PadRight(width)}  {(a.Kind == AtlasKind.Maps ? "probseg" : "dseg"),-8} {a.Spaces}");
        o.WriteLine();
    }

    private static JsonArray ListingJson(IReadOnlyList<AtlasListing> atlases, string prefix) => new(atlases.Select(a => (JsonNode)new JsonObject
    {
        ["atlas"] = prefix + a.Name,
        ["kind"] = a.Kind == AtlasKind.Maps ? "probseg" : "dseg",
        ["files"] = new JsonArray(a.Files.Select(f => (JsonNode)new JsonObject { ["space"] = f.Space, ["res"] = f.Resolution, ["path"] = f.Path }).ToArray()),
    }).ToArray());

    /// <summary>A TemplateFlow or dataset atlas: the image chosen, its space and its label table (the image is not read).</summary>
    private static int ShowFound(ParseResult p, AtlasSource source)
    {
        var o = p.Out();
        var table = source.ReadLabels();
        if (p.GetValue<bool>("--json"))
        {
            var d = source.Describe();
            d["Image"] = source.ImagePath;
            d["labels_table"] = table is null ? null : new JsonArray(table.Regions.Select(l => (JsonNode)new JsonObject
            {
                ["index"] = l.Id, ["name"] = l.Name, ["abbreviation"] = l.Abbreviation, ["network"] = l.Network, ["color"] = l.Colour?.Hex,
            }).ToArray());
            o.WriteLine(d.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        o.WriteLine($"{source.Name}: {source.SourceDescription}");
        o.WriteLine($"  space    {source.Space}{(source.Resolution is string r ? ", res-" + r : "")} ({(source.Kind == AtlasKind.Maps ? "probabilistic maps" : "labels")})");
        o.WriteLine($"  labels   {(table is null ? "none (label_N)" : $"{table.Regions.Count}, {source.LabelsPath}")}");
        foreach (var l in table?.Regions ?? [])
            o.WriteLine($"  {l.Id.ToString(CultureInfo.InvariantCulture),5}  {l.Name,-45} {l.Network ?? "",-12} {l.Colour?.Hex ?? ""}");
        return 0;
    }

    private static JsonObject GrayordinateSummary(GrayordinateAtlasInfo g) => new()
    {
        ["name"] = g.Name,
        ["description"] = g.Description,
        ["labels"] = GrayordinateAtlas.Load(g.Name).KeysPresent.Count,
        ["file"] = g.File,
        ["map"] = g.Map,
        ["space"] = g.Space,
        ["licence"] = g.Licence,
    };

    /// <summary>A bundled grayordinate atlas: its parcels, or with -o a copy of its .dlabel.nii (every map).</summary>
    private static int ShowGrayordinate(ParseResult p, GrayordinateAtlasInfo info)
    {
        var o = p.Out();
        var atlas = GrayordinateAtlas.Load(info.Name);
        if (p.GetValue<string?>("--output") is { } outPath)
        {
            using var f = Cifti.CiftiFile.Open(atlas.Source);
            Cifti.CiftiWriter.Write<float>(outPath, f.Header, f.ReadMatrix<float>());
            o.WriteLine($"{outPath}: {info.Name} ({f.Rows} label maps × {f.Columns} grayordinates; --atlas-map picks one)");
            return 0;
        }
        var present = atlas.KeysPresent;
        if (p.GetValue<bool>("--json"))
        {
            var s = GrayordinateSummary(info);
            s["map_name"] = atlas.MapName;
            s["labels_table"] = new JsonArray(present.Select(k => (JsonNode)new JsonObject { ["index"] = k, ["name"] = atlas.Labels[k]!.Name, ["color"] = atlas.Labels[k]!.Colour?.Hex }).ToArray());
            o.WriteLine(s.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        o.WriteLine($"{info.Name}: {info.Description}");
        o.WriteLine($"  map      {atlas.Map} '{atlas.MapName}' of {info.File}");
        o.WriteLine($"  mesh     {atlas.Grayordinates.Describe()}, {info.Space}");
        o.WriteLine($"  labels   {present.Count}");
        o.WriteLine($"  licence  {info.Licence}");
        foreach (var k in present)
            o.WriteLine($"  {k.ToString(CultureInfo.InvariantCulture),5}  {atlas.Labels[k]!.Name,-45} {atlas.Labels[k]!.Colour?.Hex ?? ""}");
        return 0;
    }

    private static JsonObject Summary(AtlasInfo a)
    {
        var grid = Grid.Of(BundledData.PathOf(a.ImageFile));
        int labels = Atlas.BundledLabels(a).Regions.Count;
        return new JsonObject
        {
            ["name"] = a.Name,
            ["description"] = a.Description,
            ["labels"] = labels,
            ["grid"] = grid.Describe(),
            ["shape"] = new JsonArray(grid.Shape.Select(v => (JsonNode)v).ToArray()),
            ["space"] = a.Space,
            ["licence"] = a.Licence,
        };
    }
}
