using System.Globalization;
using System.Numerics;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using NiSharp.Nifti;

namespace NiSharp.Cifti;

/// <summary>
/// Reads and writes the CIFTI-2 XML (the content of NIfTI extension 32) with System.Xml. Reading checks what the
/// standard requires and what matching grayordinates relies on: every dimension described exactly once, known
/// structures, brain models contiguous from index 0, vertex and voxel indices inside their surface or volume, counts
/// that agree. Writing follows Workbench's layout (element and attribute order, one voxel per line, 4-space indent),
/// which Workbench and nibabel both read; numbers are written in their shortest exact form, so a file read and
/// written again is the same bytes.
/// </summary>
internal static class CiftiXml
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    // ---- reading ----

    public static CiftiHeader Parse(ReadOnlySpan<byte> content, string source)
    {
        // the writer pads the extension with zeros to a multiple of 16 bytes
        int end = content.Length;
        while (end > 0 && (content[end - 1] == 0 || content[end - 1] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')) end--;
        if (end == 0) throw new NiSharpException(source, "invalid CIFTI file: the CIFTI extension (code 32) is empty");
        XDocument doc;
        try
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
            using var reader = XmlReader.Create(new MemoryStream(content[..end].ToArray()), settings);
            doc = XDocument.Load(reader);
        }
        catch (XmlException e)
        {
            throw new NiSharpException(source, $"malformed CIFTI XML: {e.Message}", e);
        }
        return new Reader(source).Header(doc.Root!);
    }

    private sealed class Reader(string source)
    {
        private NiSharpException Bad(string problem) => new(source, $"invalid CIFTI XML: {problem}");

        public CiftiHeader Header(XElement root)
        {
            if (root.Name.LocalName != "CIFTI") throw Bad($"the root element is <{root.Name.LocalName}>, not <CIFTI>");
            var version = (string?)root.Attribute("Version") ?? "";
            if (version is "1" or "1.0")
                throw new NiSharpException(source, "CIFTI-1 is not supported: convert it with 'wb_command -cifti-convert -version-convert FILE 2 OUT'");
            if (version is not ("2" or "2.0")) throw Bad($"CIFTI Version '{version}' (NiSharp reads version 2)");
            var matrix = root.Element("Matrix") ?? throw Bad("no <Matrix> element");
            var metadata = Metadata(matrix.Element("MetaData"));
            var axes = new SortedDictionary<int, CiftiAxis>();
            foreach (var map in matrix.Elements("MatrixIndicesMap"))
            {
                var dims = Dimensions(map);
                var axis = Axis(map);
                foreach (var d in dims)
                    if (!axes.TryAdd(d, axis)) throw Bad($"matrix dimension {d} is described by two MatrixIndicesMap elements");
            }
            if (axes.Count == 0) throw Bad("no <MatrixIndicesMap> element: the matrix's dimensions are not described");
            int n = axes.Keys.Max() + 1;
            for (int d = 0; d < n; d++)
                if (!axes.ContainsKey(d)) throw Bad($"no MatrixIndicesMap describes matrix dimension {d}");
            if (n is < 2 or > 3) throw Bad($"a CIFTI-2 matrix has 2 or 3 dimensions, this one {n}");
            return new CiftiHeader(axes.Values.ToArray(), metadata);
        }

        private int[] Dimensions(XElement map)
        {
            var text = (string?)map.Attribute("AppliesToMatrixDimension") ?? throw Bad("a MatrixIndicesMap has no AppliesToMatrixDimension");
            var parts = text.Split(',', StringSplitOptions.TrimEntries);
            var dims = new int[parts.Length];
            for (int i = 0; i < parts.Length; i++)
                if (!int.TryParse(parts[i], NumberStyles.Integer, Ci, out dims[i]) || dims[i] is < 0 or > 2)
                    throw Bad($"AppliesToMatrixDimension '{text}' is not a list of dimensions 0, 1 or 2");
            return dims;
        }

        private CiftiAxis Axis(XElement map)
        {
            var type = (string?)map.Attribute("IndicesMapToDataType");
            return type switch
            {
                "CIFTI_INDEX_TYPE_BRAIN_MODELS" => BrainModels(map),
                "CIFTI_INDEX_TYPE_PARCELS" => Parcels(map),
                "CIFTI_INDEX_TYPE_SERIES" => Series(map),
                "CIFTI_INDEX_TYPE_SCALARS" => new ScalarAxis(map.Elements("NamedMap").Select(m => NamedMap(m, labels: false)).ToArray()),
                "CIFTI_INDEX_TYPE_LABELS" => new LabelAxis(map.Elements("NamedMap").Select(m => NamedMap(m, labels: true)).ToArray()),
                null => throw Bad("a MatrixIndicesMap has no IndicesMapToDataType"),
                _ => throw Bad($"unknown IndicesMapToDataType '{type}'"),
            };
        }

        private BrainModelAxis BrainModels(XElement map)
        {
            var volume = map.Element("Volume") is { } v ? Volume(v) : null;
            var models = new List<BrainModel>();
            int next = 0;
            foreach (var bm in map.Elements("BrainModel"))
            {
                int offset = Int(bm, "IndexOffset"), count = Int(bm, "IndexCount");
                var structure = Structure(bm, "BrainStructure");
                string where = $"BrainModel {CiftiStructures.ShortName(structure)}";
                if (count < 1) throw Bad($"{where} has IndexCount {count}");
                if (offset != next) throw Bad($"{where} starts at index {offset}, but the brain models before it end at {next} (they must follow each other from 0)");
                var type = (string?)bm.Attribute("ModelType");
                if (type == "CIFTI_MODEL_TYPE_SURFACE")
                {
                    int surfaceVertices = Int(bm, "SurfaceNumberOfVertices");
                    var vertices = Ints(bm.Element("VertexIndices") ?? throw Bad($"{where} (surface) has no VertexIndices"), $"{where} VertexIndices");
                    if (vertices.Length != count) throw Bad($"{where} has IndexCount {count} but {vertices.Length} vertex indices");
                    var seen = new bool[Math.Max(0, surfaceVertices)];
                    foreach (var x in vertices)
                    {
                        if (x < 0 || x >= surfaceVertices) throw Bad($"{where}: vertex {x} is outside its surface of {surfaceVertices} vertices");
                        if (seen[x]) throw Bad($"{where}: vertex {x} is listed twice");
                        seen[x] = true;
                    }
                    models.Add(BrainModel.Surface(structure, offset, surfaceVertices, vertices));
                }
                else if (type == "CIFTI_MODEL_TYPE_VOXELS")
                {
                    if (volume is null) throw Bad($"{where} has voxels but the MatrixIndicesMap has no <Volume>");
                    var ijk = Ints(bm.Element("VoxelIndicesIJK") ?? throw Bad($"{where} (voxels) has no VoxelIndicesIJK"), $"{where} VoxelIndicesIJK");
                    if (ijk.Length != 3 * count) throw Bad($"{where} has IndexCount {count} but {ijk.Length} voxel indices (3 per voxel)");
                    CheckVoxels(ijk, volume, where);
                    models.Add(BrainModel.Volume(structure, offset, ijk));
                }
                else throw Bad($"{where} has ModelType '{type}' (expected CIFTI_MODEL_TYPE_SURFACE or CIFTI_MODEL_TYPE_VOXELS)");
                next += count;
            }
            if (models.Count == 0) throw Bad("a brain-models MatrixIndicesMap has no BrainModel");
            return new BrainModelAxis(models, volume);
        }

        private ParcelsAxis Parcels(XElement map)
        {
            var volume = map.Element("Volume") is { } v ? Volume(v) : null;
            var surfaces = map.Elements("Surface").Select(s => new CiftiSurface(Structure(s, "BrainStructure"), Int(s, "SurfaceNumberOfVertices"))).ToArray();
            var sizes = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var s in surfaces)
                if (!sizes.TryAdd(s.Structure, s.VertexCount)) throw Bad($"surface {CiftiStructures.ShortName(s.Structure)} is declared twice");
            var parcels = new List<CiftiParcel>();
            foreach (var p in map.Elements("Parcel"))
            {
                var name = (string?)p.Attribute("Name") ?? throw Bad($"parcel {parcels.Count + 1} has no Name");
                var vertices = new List<KeyValuePair<string, int[]>>();
                foreach (var vs in p.Elements("Vertices"))
                {
                    var structure = Structure(vs, "BrainStructure");
                    if (!sizes.TryGetValue(structure, out int nv))
                        throw Bad($"parcel '{name}' has vertices on {CiftiStructures.ShortName(structure)}, which no <Surface> declares");
                    var idx = Ints(vs, $"parcel '{name}' Vertices");
                    foreach (var x in idx)
                        if (x < 0 || x >= nv) throw Bad($"parcel '{name}': vertex {x} is outside {CiftiStructures.ShortName(structure)} ({nv} vertices)");
                    vertices.Add(new(structure, idx));
                }
                int[] voxels = [];
                if (p.Element("VoxelIndicesIJK") is { } vox)
                {
                    if (volume is null) throw Bad($"parcel '{name}' has voxels but the MatrixIndicesMap has no <Volume>");
                    voxels = Ints(vox, $"parcel '{name}' VoxelIndicesIJK");
                    if (voxels.Length % 3 != 0) throw Bad($"parcel '{name}' has {voxels.Length} voxel indices, not a multiple of 3");
                    CheckVoxels(voxels, volume, $"parcel '{name}'");
                }
                parcels.Add(new CiftiParcel(name, vertices, voxels));
            }
            return new ParcelsAxis(surfaces, volume, parcels);
        }

        private SeriesAxis Series(XElement map)
        {
            int count = Int(map, "NumberOfSeriesPoints");
            if (count < 1) throw Bad($"NumberOfSeriesPoints is {count}");
            int exponent = map.Attribute("SeriesExponent") is null ? 0 : Int(map, "SeriesExponent");
            double start = Double(map, "SeriesStart"), step = Double(map, "SeriesStep");
            var unit = (string?)map.Attribute("SeriesUnit") ?? throw Bad("a series MatrixIndicesMap has no SeriesUnit");
            if (!SeriesAxis.Units.Contains(unit)) throw Bad($"SeriesUnit '{unit}' (expected {string.Join(", ", SeriesAxis.Units)})");
            return new SeriesAxis(count, start, step, unit, exponent);
        }

        private CiftiNamedMap NamedMap(XElement m, bool labels)
        {
            var name = (string?)m.Element("MapName") ?? throw Bad("a NamedMap has no MapName");
            var meta = Metadata(m.Element("MetaData"));
            if (!labels) return new CiftiNamedMap(name, meta);
            var table = m.Element("LabelTable") ?? throw Bad($"label map '{name}' has no LabelTable");
            var entries = new List<CiftiLabel>();
            var keys = new HashSet<int>();
            foreach (var l in table.Elements("Label"))
            {
                int key = Int(l, "Key");
                if (!keys.Add(key)) throw Bad($"label map '{name}': key {key} is listed twice");
                entries.Add(new CiftiLabel(key, l.Value, Double(l, "Red"), Double(l, "Green"), Double(l, "Blue"), Double(l, "Alpha")));
            }
            return new CiftiNamedMap(name, meta, entries);
        }

        private CiftiVolume Volume(XElement v)
        {
            var dimsText = (string?)v.Attribute("VolumeDimensions") ?? throw Bad("<Volume> has no VolumeDimensions");
            var parts = dimsText.Split(',', StringSplitOptions.TrimEntries);
            var dims = new int[3];
            if (parts.Length != 3 || !parts.Select((p, i) => int.TryParse(p, NumberStyles.Integer, Ci, out dims[i]) && dims[i] > 0).All(ok => ok))
                throw Bad($"VolumeDimensions '{dimsText}' is not three positive integers");
            var t = v.Element("TransformationMatrixVoxelIndicesIJKtoXYZ") ?? throw Bad("<Volume> has no TransformationMatrixVoxelIndicesIJKtoXYZ");
            int exponent = Int(t, "MeterExponent");
            var values = Doubles(t, "TransformationMatrixVoxelIndicesIJKtoXYZ");
            if (values.Length != 16) throw Bad($"TransformationMatrixVoxelIndicesIJKtoXYZ has {values.Length} numbers, expected 16");
            // to millimetres: 10^(MeterExponent) m = 10^(MeterExponent + 3) mm; the bottom row stays
            double scale = Math.Pow(10, exponent + 3);
            for (int i = 0; i < 12; i++) values[i] *= scale;
            var affine = new Affine(values);
            if (!affine.IsFinite) throw Bad("TransformationMatrixVoxelIndicesIJKtoXYZ has non-finite values");
            return new CiftiVolume(dims, affine);
        }

        private void CheckVoxels(int[] ijk, CiftiVolume volume, string where)
        {
            var d = volume.Dimensions;
            for (int v = 0; v < ijk.Length; v += 3)
                if (ijk[v] < 0 || ijk[v + 1] < 0 || ijk[v + 2] < 0 || ijk[v] >= d[0] || ijk[v + 1] >= d[1] || ijk[v + 2] >= d[2])
                    throw Bad($"{where}: voxel ({ijk[v]}, {ijk[v + 1]}, {ijk[v + 2]}) is outside the volume {string.Join('×', d)}");
        }

        private static IReadOnlyList<KeyValuePair<string, string>> Metadata(XElement? md) =>
            md is null ? [] : md.Elements("MD").Select(e => new KeyValuePair<string, string>((string?)e.Element("Name") ?? "", (string?)e.Element("Value") ?? "")).ToArray();

        private string Structure(XElement e, string attribute)
        {
            var s = (string?)e.Attribute(attribute) ?? throw Bad($"<{e.Name.LocalName}> has no {attribute}");
            return CiftiStructures.IsKnown(s) ? s : throw Bad($"unknown brain structure '{s}' (the CIFTI-2 standard names {CiftiStructures.All.Count}, e.g. CIFTI_STRUCTURE_CORTEX_LEFT)");
        }

        private int Int(XElement e, string attribute)
        {
            var s = (string?)e.Attribute(attribute) ?? throw Bad($"<{e.Name.LocalName}> has no {attribute}");
            return int.TryParse(s, NumberStyles.Integer, Ci, out var v) ? v : throw Bad($"<{e.Name.LocalName}> {attribute}='{s}' is not an integer");
        }

        private double Double(XElement e, string attribute)
        {
            var s = (string?)e.Attribute(attribute) ?? throw Bad($"<{e.Name.LocalName}> has no {attribute}");
            return double.TryParse(s, NumberStyles.Float, Ci, out var v) && double.IsFinite(v) ? v : throw Bad($"<{e.Name.LocalName}> {attribute}='{s}' is not a number");
        }

        private int[] Ints(XElement e, string what) => Numbers<int>(e, what, NumberStyles.Integer, "an integer");

        private double[] Doubles(XElement e, string what) => Numbers<double>(e, what, NumberStyles.Float, "a number");

        /// <summary>The whitespace-separated numbers of an element's text.</summary>
        private T[] Numbers<T>(XElement e, string what, NumberStyles style, string kind) where T : INumberBase<T>
        {
            var text = e.Value.AsSpan();
            var list = new List<T>(text.Length / 4);
            foreach (var range in text.SplitAny(" \t\r\n"))
            {
                var token = text[range];
                if (token.IsEmpty) continue;
                if (!T.TryParse(token, style, Ci, out var v)) throw Bad($"{what}: '{token}' is not {kind}");
                list.Add(v);
            }
            return list.ToArray();
        }
    }

    // ---- writing ----

    public static byte[] Write(CiftiHeader header)
    {
        var settings = new XmlWriterSettings
        {
            Indent = true, IndentChars = "    ", NewLineChars = "\n", Encoding = new UTF8Encoding(false), OmitXmlDeclaration = false,
        };
        var stream = new MemoryStream();
        using (var w = XmlWriter.Create(stream, settings))
        {
            w.WriteStartElement("CIFTI");
            w.WriteAttributeString("Version", "2");
            w.WriteStartElement("Matrix");
            if (header.Metadata.Count > 0) WriteMetadata(w, header.Metadata);
            // one MatrixIndicesMap per distinct axis object, listing every dimension it describes
            var written = new HashSet<CiftiAxis>(ReferenceEqualityComparer.Instance);
            for (int d = 0; d < header.Axes.Count; d++)
            {
                var axis = header.Axes[d];
                if (!written.Add(axis)) continue;
                var dims = Enumerable.Range(0, header.Axes.Count).Where(k => ReferenceEquals(header.Axes[k], axis));
                w.WriteStartElement("MatrixIndicesMap");
                w.WriteAttributeString("AppliesToMatrixDimension", string.Join(',', dims));
                w.WriteAttributeString("IndicesMapToDataType", CiftiAxis.XmlName(axis.Kind));
                switch (axis)
                {
                    case SeriesAxis s:
                        w.WriteAttributeString("NumberOfSeriesPoints", I(s.Count));
                        w.WriteAttributeString("SeriesExponent", I(s.Exponent));
                        w.WriteAttributeString("SeriesStart", F(s.Start));
                        w.WriteAttributeString("SeriesStep", F(s.Step));
                        w.WriteAttributeString("SeriesUnit", s.Unit);
                        break;
                    case BrainModelAxis b:
                        WriteBrainModels(w, b);
                        break;
                    case ParcelsAxis p:
                        WriteParcels(w, p);
                        break;
                    case ScalarAxis c:
                        foreach (var m in c.Maps) WriteNamedMap(w, m);
                        break;
                    case LabelAxis l:
                        foreach (var m in l.Maps) WriteNamedMap(w, m);
                        break;
                }
                w.WriteEndElement();
            }
            w.WriteEndElement();
            w.WriteEndElement();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    private static void WriteBrainModels(XmlWriter w, BrainModelAxis b)
    {
        if (b.Volume is { } v) WriteVolume(w, v);
        foreach (var m in b.Models)
        {
            w.WriteStartElement("BrainModel");
            w.WriteAttributeString("IndexOffset", I(m.Offset));
            w.WriteAttributeString("IndexCount", I(m.Count));
            w.WriteAttributeString("BrainStructure", m.Structure);
            if (m.ModelType == BrainModelType.Surface)
            {
                w.WriteAttributeString("ModelType", "CIFTI_MODEL_TYPE_SURFACE");
                w.WriteAttributeString("SurfaceNumberOfVertices", I(m.SurfaceVertexCount));
                w.WriteElementString("VertexIndices", Join(m.Vertices));
            }
            else
            {
                w.WriteAttributeString("ModelType", "CIFTI_MODEL_TYPE_VOXELS");
                w.WriteElementString("VoxelIndicesIJK", Triples(m.Voxels));
            }
            w.WriteEndElement();
        }
    }

    private static void WriteParcels(XmlWriter w, ParcelsAxis p)
    {
        if (p.Volume is { } v) WriteVolume(w, v);
        foreach (var s in p.Surfaces)
        {
            w.WriteStartElement("Surface");
            w.WriteAttributeString("BrainStructure", s.Structure);
            w.WriteAttributeString("SurfaceNumberOfVertices", I(s.VertexCount));
            w.WriteEndElement();
        }
        foreach (var parcel in p.Parcels)
        {
            w.WriteStartElement("Parcel");
            w.WriteAttributeString("Name", parcel.Name);
            foreach (var (structure, vertices) in parcel.Vertices)
            {
                w.WriteStartElement("Vertices");
                w.WriteAttributeString("BrainStructure", structure);
                w.WriteString(Join(vertices));
                w.WriteEndElement();
            }
            if (parcel.Voxels.Length > 0) w.WriteElementString("VoxelIndicesIJK", Triples(parcel.Voxels));
            w.WriteEndElement();
        }
    }

    private static void WriteVolume(XmlWriter w, CiftiVolume v)
    {
        w.WriteStartElement("Volume");
        w.WriteAttributeString("VolumeDimensions", string.Join(',', v.Dimensions.Select(I)));
        w.WriteStartElement("TransformationMatrixVoxelIndicesIJKtoXYZ");
        w.WriteAttributeString("MeterExponent", "-3");
        var rows = v.Affine.ToRows();
        w.WriteString(string.Join('\n', rows.Select(r => string.Join(' ', r.Select(F)))));
        w.WriteEndElement();
        w.WriteEndElement();
    }

    private static void WriteNamedMap(XmlWriter w, CiftiNamedMap m)
    {
        w.WriteStartElement("NamedMap");
        w.WriteElementString("MapName", m.Name);
        WriteMetadata(w, m.Metadata);
        if (m.LabelTable is { } table)
        {
            w.WriteStartElement("LabelTable");
            foreach (var l in table)
            {
                w.WriteStartElement("Label");
                w.WriteAttributeString("Key", I(l.Key));
                w.WriteAttributeString("Red", F(l.Red));
                w.WriteAttributeString("Green", F(l.Green));
                w.WriteAttributeString("Blue", F(l.Blue));
                w.WriteAttributeString("Alpha", F(l.Alpha));
                w.WriteString(l.Name);
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    private static void WriteMetadata(XmlWriter w, IReadOnlyList<KeyValuePair<string, string>> metadata)
    {
        w.WriteStartElement("MetaData");
        foreach (var (name, value) in metadata)
        {
            w.WriteStartElement("MD");
            w.WriteElementString("Name", name);
            w.WriteElementString("Value", value);
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    private static string I(int v) => v.ToString(Ci);

    private static string F(double v) => v.ToString("R", Ci);

    private static string Join(int[] values) => string.Join(' ', values.Select(I));

    private static string Triples(int[] ijk)
    {
        var sb = new StringBuilder(ijk.Length * 4 + 1).Append('\n');
        for (int v = 0; v < ijk.Length; v += 3)
            sb.Append(I(ijk[v])).Append(' ').Append(I(ijk[v + 1])).Append(' ').Append(I(ijk[v + 2])).Append('\n');
        return sb.ToString();
    }
}
