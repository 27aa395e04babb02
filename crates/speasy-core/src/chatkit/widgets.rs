//! Typed ChatKit widgets (`../shared/reference/chatkit-protocol.md` §4), serialised exactly like
//! chatkit-python's `chatkit.widgets` models: camelCase props, `None` props omitted, `type` always
//! present (the serde tag of [`WidgetRoot`] / [`WidgetComponent`]; a checked field of
//! [`ListViewItem`]).
//!
//! A widget is a [`WidgetRoot`]: a [`Card`], a [`ListView`] (whose children are
//! [`ListViewItem`]s and nothing else, by type) or a [`Basic`] (the only node that may nest other
//! roots). Every node has an optional `key` (React key) and `id` (needed for streamed text).
//! Closed value sets are enums carrying the exact wire strings; open-ended values (colours,
//! spacing, sizes, icon names) are small types converting from `&str` and numbers. Each node has
//! `new(<required props>)` and one builder method per optional prop, named like the prop:
//!
//! ```ignore
//! let save = ActionConfig::server("fact.save", json!({"fact_id": id}));
//! let card: WidgetRoot = Card::new(vec![
//!     Title::new("Remember this?").size(TitleSize::Sm).into(),
//!     Text::new("Likes tea").color("secondary").into(),
//!     Row::new(vec![Button::new("Save").on_click(save).style(ButtonStyle::Primary).into()])
//!         .gap(2)
//!         .into(),
//! ])
//! .size(CardSize::Sm)
//! .into();
//! ```
//!
//! Everything deserialises too (widgets are read back from the database) and round-trips
//! losslessly. `Box` is [`FlexBox`] here (`"type": "Box"` on the wire), so that importing this
//! module does not shadow `std::boxed::Box`. TypeScript bindings go to
//! `<TS_RS_EXPORT_DIR>/widgets/`, as names such as `Theme` or `Text` would clash with others.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

/// A closed set of wire strings.
macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $wire:tt),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
        #[ts(export, export_to = "widgets/")]
        pub enum $name { $($(#[$vm])* #[serde(rename = $wire)] $var),+ }

        impl $name {
            /// The wire string.
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$var => $wire),+ }
            }
        }
    };
}

/// A props object: required fields (in braces), then optional ones, omitted when `None` and
/// set by a builder method of the same name. `name as "wire"` overrides the camelCase name.
macro_rules! record {
    (
        $(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $field:ident: $fty:ty),* $(,)? }
        $($(#[$om:meta])* $opt:ident $(as $wire:tt)?: $oty:ty),* $(,)?
    ) => {
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
        $(#[$m])*
        #[serde(rename_all = "camelCase")]
        #[ts(export, export_to = "widgets/", optional_fields)]
        pub struct $name {
            $($(#[$fm])* pub $field: $fty,)*
            $(
                $(#[$om])* $(#[serde(rename = $wire)])?
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $opt: Option<$oty>,
            )*
        }

        impl $name {$(
            $(#[$om])*
            #[must_use]
            pub fn $opt(mut self, v: impl Into<$oty>) -> Self {
                self.$opt = Some(v.into());
                self
            }
        )*}
    };
}

/// A widget node: a [`record!`] with `Default`, `key` and `id`.
macro_rules! widget {
    ($(#[$m:meta])* $name:ident { $($req:tt)* } $($opt:tt)*) => {
        record! {
            #[derive(Default)]
            $(#[$m])*
            $name { $($req)* }
            /// React key, for siblings in a list.
            key: String,
            /// Stable id (streamed text and component updates address nodes by it).
            id: String,
            $($opt)*
        }
    };
}

/// A `Box`-like widget: the layout props shared by `Box`, `Row`, `Col` and `Form`.
macro_rules! flex_widget {
    ($(#[$m:meta])* $name:ident { $($extra:tt)* }) => {
        widget! {
            $(#[$m])* $name { #[serde(default)] children: Vec<WidgetComponent> }
            align: Alignment, justify: Justification, wrap: Wrap, flex: IntOrStr, gap: IntOrStr,
            height: NumOrStr, width: NumOrStr, size: NumOrStr, min_height: IntOrStr,
            min_width: IntOrStr, min_size: IntOrStr, max_height: IntOrStr, max_width: IntOrStr,
            max_size: IntOrStr, padding: Spacing, margin: Spacing, border: Border, radius: Radius,
            background: Color, aspect_ratio: NumOrStr, $($extra)*
        }
    };
}

/// `new` taking the required props: as `impl Into<_>` before the `;`, as is after it.
macro_rules! constructors {
    ($($name:ident($($f:ident: $t:ty),* $(; $($e:ident: $et:ty),*)?)),+ $(,)?) => {$(
        impl $name {
            pub fn new($($f: impl Into<$t>,)* $($($e: $et),*)?) -> Self {
                Self { $($f: $f.into(),)* $($($e,)*)? ..Self::default() }
            }
        }
    )+};
}

/// `From` conversions into the variants of an untagged value type.
macro_rules! from_impls {
    ($name:ident { $($src:ty => $var:ident),+ $(,)? }) => {$(
        impl From<$src> for $name {
            fn from(v: $src) -> Self {
                Self::$var(v.into())
            }
        }
    )+};
}

/// A `type`-tagged union of widget nodes, with `From` for each node type (also into
/// [`BasicChild`]). Nodes are boxed: the union stays pointer-sized inside other enums.
macro_rules! node_union {
    ($(#[$m:meta])* $name:ident { $($var:ident($ty:ident)),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
        #[serde(tag = "type")]
        #[ts(export, export_to = "widgets/")]
        pub enum $name { $($var(std::boxed::Box<$ty>)),+ }

        $(
            impl From<$ty> for $name {
                fn from(v: $ty) -> Self {
                    Self::$var(std::boxed::Box::new(v))
                }
            }
            impl From<$ty> for BasicChild {
                fn from(v: $ty) -> Self {
                    $name::from(v).into()
                }
            }
        )+
    };
}

// ---------------------------------------------------------------------------------------------
// Closed value sets

wire_enum!(/// Body text size; also `Label.size`.
    TextSize { Xs = "xs", Sm = "sm", Md = "md", Lg = "lg", Xl = "xl" });
wire_enum!(/// Title size.
    TitleSize { Sm = "sm", Md = "md", Lg = "lg", Xl = "xl", Xl2 = "2xl", Xl3 = "3xl", Xl4 = "4xl",
        Xl5 = "5xl" });
wire_enum!(/// Caption size; also `Badge.size`.
    CaptionSize { Sm = "sm", Md = "md", Lg = "lg" });
wire_enum!(/// Icon size.
    IconSize { Xs = "xs", Sm = "sm", Md = "md", Lg = "lg", Xl = "xl", Xl2 = "2xl", Xl3 = "3xl" });
wire_enum!(/// `Button.iconSize`.
    ButtonIconSize { Sm = "sm", Md = "md", Lg = "lg", Xl = "xl", Xl2 = "2xl" });
wire_enum!(/// Font weight.
    FontWeight { Normal = "normal", Medium = "medium", Semibold = "semibold", Bold = "bold" });
wire_enum!(/// Horizontal text alignment; also `DatePicker.align`.
    TextAlign { Start = "start", Center = "center", End = "end" });
wire_enum!(/// Cross-axis (flex) alignment.
    Alignment { Start = "start", Center = "center", End = "end", Baseline = "baseline",
        Stretch = "stretch" });
wire_enum!(/// Main-axis (flex) distribution.
    Justification { Start = "start", Center = "center", End = "end", Between = "between",
        Around = "around", Evenly = "evenly", Stretch = "stretch" });
wire_enum!(/// Flex wrapping.
    Wrap { Nowrap = "nowrap", Wrap = "wrap", WrapReverse = "wrap-reverse" });
wire_enum!(/// Layout direction.
    Direction { Row = "row", Col = "col" });
wire_enum!(/// Forced colour scheme of a subtree.
    Theme { Light = "light", Dark = "dark" });
wire_enum!(/// Corner radius.
    Radius { Xs2 = "2xs", Xs = "xs", Sm = "sm", Md = "md", Lg = "lg", Xl = "xl", Xl2 = "2xl",
        Xl3 = "3xl", Xl4 = "4xl", Full = "full", Percent100 = "100%", None = "none" });
wire_enum!(/// Button / Select / DatePicker variant.
    ControlVariant { Solid = "solid", Soft = "soft", Outline = "outline", Ghost = "ghost" });
wire_enum!(/// Input / Textarea variant.
    InputVariant { Soft = "soft", Outline = "outline" });
wire_enum!(/// Size of controls.
    ControlSize { Xs3 = "3xs", Xs2 = "2xs", Xs = "xs", Sm = "sm", Md = "md", Lg = "lg", Xl = "xl",
        Xl2 = "2xl", Xl3 = "3xl" });
wire_enum!(/// Input / Textarea `gutterSize`.
    GutterSize { Xs2 = "2xs", Xs = "xs", Sm = "sm", Md = "md", Lg = "lg", Xl = "xl" });
wire_enum!(/// Card width.
    CardSize { Sm = "sm", Md = "md", Lg = "lg", Full = "full" });
wire_enum!(/// Badge colour.
    BadgeColor { Secondary = "secondary", Success = "success", Danger = "danger",
        Warning = "warning", Info = "info", Discovery = "discovery" });
wire_enum!(/// Badge variant.
    BadgeVariant { Solid = "solid", Soft = "soft", Outline = "outline" });
wire_enum!(/// Button style preset.
    ButtonStyle { Primary = "primary", Secondary = "secondary" });
wire_enum!(/// Button colour.
    ButtonColor { Primary = "primary", Secondary = "secondary", Info = "info",
        Discovery = "discovery", Success = "success", Caution = "caution", Warning = "warning",
        Danger = "danger" });
wire_enum!(/// How an image fills its box.
    ImageFit { Cover = "cover", Contain = "contain", Fill = "fill", ScaleDown = "scale-down",
        None = "none" });
wire_enum!(/// Focal point of an image.
    ImagePosition { TopLeft = "top left", Top = "top", TopRight = "top right", Left = "left",
        Center = "center", Right = "right", BottomLeft = "bottom left", Bottom = "bottom",
        BottomRight = "bottom right" });
wire_enum!(/// Border line style.
    BorderStyle { Solid = "solid", Dashed = "dashed", Dotted = "dotted", Double = "double",
        Groove = "groove", Ridge = "ridge", Inset = "inset", Outset = "outset" });
wire_enum!(/// Native input type.
    InputType { Number = "number", Email = "email", Text = "text", Password = "password",
        Tel = "tel", Url = "url" });
wire_enum!(/// Preferred side of the DatePicker calendar.
    Side { Top = "top", Bottom = "bottom", Left = "left", Right = "right" });
wire_enum!(/// Chart series kind.
    SeriesType { Bar = "bar", Area = "area", Line = "line" });
wire_enum!(/// Interpolation of area/line series.
    CurveType { Basis = "basis", BasisClosed = "basisClosed", BasisOpen = "basisOpen",
        BumpX = "bumpX", BumpY = "bumpY", Bump = "bump", Linear = "linear",
        LinearClosed = "linearClosed", Natural = "natural", MonotoneX = "monotoneX",
        MonotoneY = "monotoneY", Monotone = "monotone", Step = "step",
        StepBefore = "stepBefore", StepAfter = "stepAfter" });
wire_enum!(/// Who handles an action: our server (`threads.custom_action`) or the host page.
    Handler { Server = "server", Client = "client" });
wire_enum!(/// What shows as busy while an action runs.
    LoadingBehavior { Auto = "auto", None = "none", SelfOnly = "self", Container = "container" });

// ---------------------------------------------------------------------------------------------
// Open-ended value types

/// `int | str`: px or spacing units, or a CSS string (`gap`, `flex`, `minHeight`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export, export_to = "widgets/")]
pub enum IntOrStr {
    Int(i32),
    Str(String),
}
from_impls!(IntOrStr { i32 => Int, &str => Str, String => Str });

/// `float | str`: a number (kept integral when given one) or a CSS string (`width`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export, export_to = "widgets/")]
pub enum NumOrStr {
    Int(i32),
    Float(f64),
    Str(String),
}
from_impls!(NumOrStr { i32 => Int, f64 => Float, &str => Str, String => Str });

/// Padding / margin: spacing units, a CSS string, or per side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export, export_to = "widgets/")]
pub enum Spacing {
    Int(i32),
    Float(f64),
    Css(String),
    Sides(SpacingSides),
}
from_impls!(Spacing {
    i32 => Int, f64 => Float, &str => Css, String => Css, SpacingSides => Sides,
});

impl Spacing {
    /// `{x, y}`.
    pub fn xy(x: impl Into<NumOrStr>, y: impl Into<NumOrStr>) -> Self {
        SpacingSides::default().x(x).y(y).into()
    }
}

record! {
    /// Per-side spacing, each in spacing units or a CSS string.
    #[derive(Default)]
    SpacingSides {}
    top: NumOrStr, right: NumOrStr, bottom: NumOrStr, left: NumOrStr, x: NumOrStr, y: NumOrStr,
}

/// A colour: a token (`secondary`, `surface`, `blue-500`), any CSS colour, or per theme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export, export_to = "widgets/")]
pub enum Color {
    Token(String),
    Themed { light: String, dark: String },
}
from_impls!(Color { &str => Token, String => Token });

impl Color {
    /// `{light, dark}`.
    pub fn themed(light: impl Into<String>, dark: impl Into<String>) -> Self {
        Self::Themed { light: light.into(), dark: dark.into() }
    }
}

/// A container border: px, one line, or per side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export, export_to = "widgets/")]
pub enum Border {
    Px(i32),
    Line(BorderLine),
    Sides(std::boxed::Box<BorderSides>),
}
from_impls!(Border { i32 => Px, BorderLine => Line, BorderSides => Sides });

record! {
    /// One border line, `size` in px.
    #[derive(Default)]
    BorderLine { size: i32 }
    color: Color, style: BorderStyle,
}

/// One side's border: px or a line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export, export_to = "widgets/")]
pub enum BorderEdge {
    Px(i32),
    Line(BorderLine),
}
from_impls!(BorderEdge { i32 => Px, BorderLine => Line });

record! {
    /// Borders per side.
    #[derive(Default)]
    BorderSides {}
    top: BorderEdge, right: BorderEdge, bottom: BorderEdge, left: BorderEdge, x: BorderEdge,
    y: BorderEdge,
}

/// An icon: a built-in name ([`IconName::BUILTIN`]), `lucide:<name>` or `vendor:<name>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[ts(export, export_to = "widgets/")]
pub struct IconName(pub String);

impl<S: Into<String>> From<S> for IconName {
    fn from(v: S) -> Self {
        Self(v.into())
    }
}

impl IconName {
    /// ChatKit's built-in icon names, space-separated.
    pub const BUILTIN: &str = concat!(
        "agent analytics atom batch bolt book-open book-closed book-clock bug calendar chart ",
        "check check-circle check-circle-filled chevron-left chevron-right circle-question ",
        "clock compass confetti cube desktop document dot dots-horizontal dots-vertical ",
        "empty-circle external-link globe keys lab images info lifesaver lightbulb mail ",
        "map-pin maps mobile name notebook notebook-pencil page-blank phone play plus profile ",
        "profile-card reload star star-filled search sparkle sparkle-double square-code ",
        "square-image square-text suitcase settings-slider user wreath write write-alt write-alt2"
    );

    /// Any Lucide icon: `lucide:<name>`.
    pub fn lucide(name: &str) -> Self {
        Self(format!("lucide:{name}"))
    }

    /// Whether ChatKit accepts this name (built-in, `lucide:…` or `vendor:…`).
    pub fn is_valid(&self) -> bool {
        let name = self.0.as_str();
        Self::BUILTIN.split(' ').any(|b| b == name)
            || ["lucide:", "vendor:"].iter().any(|p| name.len() > p.len() && name.starts_with(p))
    }
}

/// `ListView.limit`: rows shown before "show more", or `"auto"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "widgets/")]
pub enum ListLimit {
    #[serde(rename = "auto")]
    Auto,
    #[serde(untagged)]
    Count(u32),
}
from_impls!(ListLimit { u32 => Count });

record! {
    /// A card/list status header: text with an `icon`, or with a `favicon` URL (and `frame`).
    #[derive(Default)]
    WidgetStatus { text: String }
    icon: IconName, favicon: String, frame: bool,
}

impl WidgetStatus {
    /// Status with an icon.
    pub fn with_icon(text: impl Into<String>, icon: impl Into<IconName>) -> Self {
        Self::new(text).icon(icon)
    }
    /// Status with a favicon URL.
    pub fn with_favicon(text: impl Into<String>, url: impl Into<String>) -> Self {
        Self::new(text).favicon(url)
    }
}

// ---------------------------------------------------------------------------------------------
// Actions

record! {
    /// What a control dispatches. Defaults when absent: `handler` server, `loadingBehavior`
    /// auto, `streaming` true (`false`: sent as `threads.sync_custom_action`, allowed while a
    /// response streams).
    ActionConfig {
        /// The action type, e.g. `fact.save`.
        #[serde(rename = "type")]
        kind: String,
    }
    payload: Value, handler: Handler, loading as "loadingBehavior": LoadingBehavior,
    streaming: bool,
}

impl ActionConfig {
    fn with(kind: impl Into<String>, payload: Value, handler: Handler) -> Self {
        let payload = (!payload.is_null()).then_some(payload);
        Self { kind: kind.into(), payload, handler: Some(handler), loading: None, streaming: None }
    }
    /// Handled by our server (`threads.custom_action`). A `null` payload is omitted.
    pub fn server(kind: impl Into<String>, payload: Value) -> Self {
        Self::with(kind, payload, Handler::Server)
    }
    /// Handled by the host page (`widgets.onAction`). A `null` payload is omitted.
    pub fn client(kind: impl Into<String>, payload: Value) -> Self {
        Self::with(kind, payload, Handler::Client)
    }
    /// `streaming: false`.
    #[must_use]
    pub fn non_streaming(self) -> Self {
        self.streaming(false)
    }
}

record! {
    /// A card footer button.
    CardAction { label: String, action: ActionConfig }
}

impl CardAction {
    pub fn new(label: impl Into<String>, action: ActionConfig) -> Self {
        Self { label: label.into(), action }
    }
}

// ---------------------------------------------------------------------------------------------
// Roots

widget! {
    /// The main chat root: a bordered box of components; with `asForm`, its `confirm`/`cancel`
    /// actions carry the values of the named controls inside.
    Card { children: Vec<WidgetComponent> }
    size: CardSize, padding: Spacing, background: Color, status: WidgetStatus, collapsed: bool,
    as_form: bool, confirm: CardAction, cancel: CardAction, theme: Theme,
}

widget! {
    /// A list root; its children are [`ListViewItem`]s.
    ListView { children: Vec<ListViewItem> }
    limit: ListLimit, status: WidgetStatus, theme: Theme,
}

widget! {
    /// One row of a [`ListView`] (it carries its own `type`, not being a [`WidgetComponent`]).
    ListViewItem {
        /// Always `"ListViewItem"` (checked when reading).
        #[serde(rename = "type")]
        kind: ListViewItemType,
        children: Vec<WidgetComponent>,
    }
    on_click as "onClickAction": ActionConfig, gap: IntOrStr, align: Alignment,
}

widget! {
    /// Layout root for entity previews; the only node that may contain other roots.
    Basic { #[serde(default)] children: Vec<BasicChild> }
    theme: Theme, direction: Direction, gap: IntOrStr, padding: Spacing, align: Alignment,
    justify: Justification,
}

wire_enum!(/// The `type` of a [`ListViewItem`].
    #[derive(Default)]
    ListViewItemType { #[default] ListViewItem = "ListViewItem" });

/// A child of [`Basic`]: a root or a component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export, export_to = "widgets/")]
pub enum BasicChild {
    Root(WidgetRoot),
    Component(WidgetComponent),
}
from_impls!(BasicChild { WidgetRoot => Root, WidgetComponent => Component });

// ---------------------------------------------------------------------------------------------
// Text

widget! {
    /// Plain text.
    Text { value: String }
    streaming: bool, italic: bool, line_through: bool, color: Color, weight: FontWeight,
    width: NumOrStr, size: TextSize, text_align: TextAlign, truncate: bool, min_lines: i32,
    max_lines: i32, editable: Editable,
}

impl Text {
    /// Shorthand for `.weight(FontWeight::Semibold)`.
    #[must_use]
    pub fn weight_semibold(self) -> Self {
        self.weight(FontWeight::Semibold)
    }
}

/// `Text.editable`: `false`, or the form field that edits the text inline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export, export_to = "widgets/")]
pub enum Editable {
    /// Only `false` is meaningful.
    Flag(bool),
    Field(EditableField),
}
from_impls!(Editable { bool => Flag, EditableField => Field });

record! {
    /// Inline editing of a [`Text`]; `name` is the form field.
    #[derive(Default)]
    EditableField { name: String }
    auto_focus: bool, auto_select: bool, auto_complete: String, allow_autofill_extensions: bool,
    pattern: String, placeholder: String, required: bool,
}

widget! {
    /// A headline.
    Title { value: String }
    color: Color, weight: FontWeight, size: TitleSize, text_align: TextAlign, truncate: bool,
    max_lines: i32,
}

widget! {
    /// Small supporting text.
    Caption { value: String }
    color: Color, weight: FontWeight, size: CaptionSize, text_align: TextAlign, truncate: bool,
    max_lines: i32,
}

widget! {
    /// Markdown, optionally streamed.
    Markdown { value: String }
    streaming: bool,
}

widget! {
    /// A small status label.
    Badge { label: String }
    color: BadgeColor, variant: BadgeVariant, size: CaptionSize, pill: bool,
}

// ---------------------------------------------------------------------------------------------
// Controls

widget! {
    /// A button, dispatching `onClickAction` or (`submit`) submitting the enclosing form.
    Button {}
    label: String, on_click as "onClickAction": ActionConfig, submit: bool, icon_start: IconName,
    icon_end: IconName, style: ButtonStyle, icon_size: ButtonIconSize, color: ButtonColor,
    variant: ControlVariant, size: ControlSize, pill: bool, uniform: bool, block: bool,
    disabled: bool,
}

impl Button {
    pub fn new(label: impl Into<String>) -> Self {
        Self::default().label(label)
    }
    /// An icon-only (square) button.
    pub fn icon(icon: impl Into<IconName>) -> Self {
        Self::default().icon_start(icon).uniform(true)
    }
}

widget! {
    /// Single-line text input.
    Input { name: String }
    input_type: InputType, default_value: String, required: bool, pattern: String,
    placeholder: String, allow_autofill_extensions: bool, auto_select: bool, auto_focus: bool,
    disabled: bool, variant: InputVariant, size: ControlSize, gutter_size: GutterSize, pill: bool,
}

widget! {
    /// Multi-line text input.
    Textarea { name: String }
    default_value: String, required: bool, pattern: String, placeholder: String,
    auto_select: bool, auto_focus: bool, disabled: bool, variant: InputVariant, size: ControlSize,
    gutter_size: GutterSize, rows: i32, auto_resize: bool, max_rows: i32,
    allow_autofill_extensions: bool,
}

widget! {
    /// Dropdown.
    Select { name: String, options: Vec<SelectOption> }
    on_change as "onChangeAction": ActionConfig, placeholder: String, default_value: String,
    variant: ControlVariant, size: ControlSize, pill: bool, block: bool, clearable: bool,
    disabled: bool, searchable: bool,
}

record! {
    /// An option of a [`Select`]; `description` is shown under the label.
    #[derive(Default)]
    SelectOption { value: String, label: String }
    disabled: bool, description: String,
}

widget! {
    /// Date picker; dates are ISO-8601 strings.
    DatePicker { name: String }
    on_change as "onChangeAction": ActionConfig, placeholder: String, default_value: String,
    min: String, max: String, variant: ControlVariant, size: ControlSize, side: Side,
    align: TextAlign, pill: bool, block: bool, clearable: bool, disabled: bool,
}

widget! {
    /// Checkbox.
    Checkbox { name: String }
    label: String, default_checked: bool, on_change as "onChangeAction": ActionConfig,
    disabled: bool, required: bool,
}

widget! {
    /// Radio buttons.
    RadioGroup { name: String }
    options: Vec<RadioOption>, aria_label: String, on_change as "onChangeAction": ActionConfig,
    default_value: String, direction: Direction, disabled: bool, required: bool,
}

record! {
    /// An option of a [`RadioGroup`].
    #[derive(Default)]
    RadioOption { label: String, value: String }
    disabled: bool,
}

widget! {
    /// A form field's label.
    Label { value: String, field_name: String }
    size: TextSize, weight: FontWeight, text_align: TextAlign, color: Color,
}

// ---------------------------------------------------------------------------------------------
// Layout and media

flex_widget!(/// Flex container (`Box` on the wire).
    FlexBox { direction: Direction });
flex_widget!(/// Horizontal flex container.
    Row {});
flex_widget!(/// Vertical flex container.
    Col {});
flex_widget!(/// Container submitting its named controls' values with `onSubmitAction`.
    Form { on_submit as "onSubmitAction": ActionConfig, direction: Direction });

widget! {
    /// A horizontal rule.
    Divider {}
    color: Color, size: IntOrStr, spacing: IntOrStr, flush: bool,
}

widget! {
    /// Pushes siblings apart.
    Spacer {}
    min_size: IntOrStr,
}

widget! {
    /// An icon.
    Icon { name: IconName }
    color: Color, size: IconSize,
}

widget! {
    /// An image.
    Image { src: String }
    alt: String, fit: ImageFit, position: ImagePosition, radius: Radius, frame: bool, flush: bool,
    height: IntOrStr, width: IntOrStr, size: IntOrStr, min_height: IntOrStr, min_width: IntOrStr,
    min_size: IntOrStr, max_height: IntOrStr, max_width: IntOrStr, max_size: IntOrStr,
    /// (Python takes `int | str | Spacing` here: no fractional numbers.)
    margin: Spacing, background: Color, aspect_ratio: NumOrStr, flex: IntOrStr,
}

widget! {
    /// Animates layout changes of its single child (`children: null` when `None`).
    Transition {
        #[ts(optional = false)]
        children: Option<WidgetComponent>,
    }
}

impl Transition {
    pub fn new(child: impl Into<WidgetComponent>) -> Self {
        Self { children: Some(child.into()), ..Self::default() }
    }
}

widget! {
    /// A bar/area/line chart over `data` rows (`{field: string | number}`).
    Chart { data: Vec<Map<String, Value>>, series: Vec<ChartSeries>, x_axis: XAxis }
    show_y_axis as "showYAxis": bool, show_legend: bool, show_tooltip: bool, bar_gap: i32,
    bar_category_gap: i32, flex: IntOrStr, height: IntOrStr, width: IntOrStr, size: IntOrStr,
    min_height: IntOrStr, min_width: IntOrStr, min_size: IntOrStr, max_height: IntOrStr,
    max_width: IntOrStr, max_size: IntOrStr, aspect_ratio: NumOrStr,
}

impl Chart {
    pub fn new(
        data: Vec<Map<String, Value>>,
        series: Vec<ChartSeries>,
        x: impl Into<XAxis>,
    ) -> Self {
        Self { data, series, x_axis: x.into(), ..Self::default() }
    }
}

record! {
    /// A chart series. Only bar/area series take `stack`, only area/line take `curveType`
    /// (chatkit-python has one model per kind; this one is not checked).
    ChartSeries {
        #[serde(rename = "type")]
        kind: SeriesType,
        label: String,
        data_key: String,
    }
    stack: String, color: Color, curve_type: CurveType,
}

impl ChartSeries {
    pub fn new(kind: SeriesType, label: impl Into<String>, data_key: impl Into<String>) -> Self {
        let (label, data_key) = (label.into(), data_key.into());
        Self { kind, label, data_key, stack: None, color: None, curve_type: None }
    }
}

/// The x axis: a data key, or `{dataKey, hide?, labels?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export, export_to = "widgets/")]
pub enum XAxis {
    Key(String),
    Config(XAxisConfig),
}
from_impls!(XAxis { &str => Key, String => Key, XAxisConfig => Config });

impl Default for XAxis {
    fn default() -> Self {
        Self::Key(String::new())
    }
}

record! {
    /// X axis options; `labels` maps tick values to display labels.
    #[derive(Default)]
    XAxisConfig { data_key: String }
    hide: bool, labels: Map<String, Value>,
}

constructors! {
    Card(; children: Vec<WidgetComponent>), ListView(; children: Vec<ListViewItem>),
    ListViewItem(; children: Vec<WidgetComponent>), Basic(; children: Vec<BasicChild>),
    FlexBox(; children: Vec<WidgetComponent>), Row(; children: Vec<WidgetComponent>),
    Col(; children: Vec<WidgetComponent>), Form(; children: Vec<WidgetComponent>),
    Text(value: String), Title(value: String), Caption(value: String), Markdown(value: String),
    Badge(label: String), Icon(name: IconName), Image(src: String), Divider(), Spacer(),
    Input(name: String), Textarea(name: String), DatePicker(name: String),
    Checkbox(name: String), RadioGroup(name: String), Label(value: String, field_name: String),
    Select(name: String; options: Vec<SelectOption>), SelectOption(value: String, label: String),
    RadioOption(label: String, value: String), XAxisConfig(data_key: String),
    BorderLine(size: i32), EditableField(name: String), WidgetStatus(text: String),
}

// ---------------------------------------------------------------------------------------------
// Unions and text extraction

node_union! {
    /// A top-level widget (`widget` of a widget item).
    WidgetRoot { Card(Card), ListView(ListView), Basic(Basic) }
}

node_union! {
    /// Any non-root component.
    WidgetComponent {
        Text(Text), Title(Title), Caption(Caption), Markdown(Markdown), Badge(Badge),
        Button(Button), Box(FlexBox), Row(Row), Col(Col), Divider(Divider), Icon(Icon),
        Image(Image), Spacer(Spacer), Form(Form), Input(Input), Textarea(Textarea),
        Select(Select), Checkbox(Checkbox), Label(Label), Transition(Transition),
        DatePicker(DatePicker), RadioGroup(RadioGroup), Chart(Chart),
    }
}

/// The human-readable text of a widget, one line per node in document order: Text, Title,
/// Caption and Markdown values and Badge labels (not button labels or form controls). Used as
/// the widget item's `copy_text` and for search.
pub fn copy_text(root: &WidgetRoot) -> String {
    let mut out = Vec::new();
    root_text(root, &mut out);
    out.join("\n")
}

fn root_text<'a>(root: &'a WidgetRoot, out: &mut Vec<&'a str>) {
    match root {
        WidgetRoot::Card(c) => c.children.iter().for_each(|c| component_text(c, out)),
        WidgetRoot::ListView(l) => {
            l.children.iter().flat_map(|i| &i.children).for_each(|c| component_text(c, out));
        }
        WidgetRoot::Basic(b) => b.children.iter().for_each(|c| match c {
            BasicChild::Root(r) => root_text(r, out),
            BasicChild::Component(c) => component_text(c, out),
        }),
    }
}

fn component_text<'a>(c: &'a WidgetComponent, out: &mut Vec<&'a str>) {
    let mut push = |text: &'a String| {
        if !text.trim().is_empty() {
            out.push(text);
        }
    };
    match c {
        WidgetComponent::Text(t) => push(&t.value),
        WidgetComponent::Title(t) => push(&t.value),
        WidgetComponent::Caption(t) => push(&t.value),
        WidgetComponent::Markdown(t) => push(&t.value),
        WidgetComponent::Badge(b) => push(&b.label),
        WidgetComponent::Box(b) => b.children.iter().for_each(|c| component_text(c, out)),
        WidgetComponent::Row(r) => r.children.iter().for_each(|c| component_text(c, out)),
        WidgetComponent::Col(c) => c.children.iter().for_each(|c| component_text(c, out)),
        WidgetComponent::Form(f) => f.children.iter().for_each(|c| component_text(c, out)),
        WidgetComponent::Transition(t) => t.children.iter().for_each(|c| component_text(c, out)),
        _ => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fact_card() -> WidgetRoot {
        let payload = json!({"fact_id": "f1"});
        Card::new(vec![
            Title::new("Remember this?").size(TitleSize::Sm).into(),
            Text::new("Likes green tea").color("secondary").into(),
            Row::new(vec![
                Button::new("Save")
                    .on_click(ActionConfig::server("fact.save", payload.clone()))
                    .style(ButtonStyle::Primary)
                    .into(),
                Button::new("Discard")
                    .on_click(ActionConfig::server("fact.discard", payload).non_streaming())
                    .variant(ControlVariant::Outline)
                    .into(),
            ])
            .gap(2)
            .justify(Justification::End)
            .into(),
        ])
        .size(CardSize::Sm)
        .into()
    }

    fn history_list() -> WidgetRoot {
        let item = |id: &str, title: &str| {
            ListViewItem::new(vec![
                Icon::new(IconName::lucide("message-square")).size(IconSize::Sm).into(),
                Col::new(vec![Text::new(title).weight_semibold().into(), Badge::new("2d").into()])
                    .into(),
            ])
            .key(id)
            .gap(3)
            .on_click(
                ActionConfig::client("thread.open", json!({"thread_id": id}))
                    .loading(LoadingBehavior::None),
            )
        };
        ListView::new(vec![item("t1", "Tea"), item("t2", "Coffee")]).limit(5).into()
    }

    fn to_json(root: &WidgetRoot) -> Value {
        serde_json::to_value(root).unwrap()
    }

    #[test]
    fn card_serialises_exactly() {
        let action = |t: &str| {
            let mut a = json!({"type": t, "payload": {"fact_id": "f1"}, "handler": "server"});
            if t == "fact.discard" {
                a["streaming"] = json!(false);
            }
            a
        };
        assert_eq!(
            to_json(&fact_card()),
            json!({"type": "Card", "size": "sm", "children": [
                {"type": "Title", "value": "Remember this?", "size": "sm"},
                {"type": "Text", "value": "Likes green tea", "color": "secondary"},
                {"type": "Row", "gap": 2, "justify": "end", "children": [
                    {"type": "Button", "label": "Save", "style": "primary",
                     "onClickAction": action("fact.save")},
                    {"type": "Button", "label": "Discard", "variant": "outline",
                     "onClickAction": action("fact.discard")},
                ]},
            ]})
        );
    }

    #[test]
    fn list_view_serialises_exactly() {
        let item = |id: &str, title: &str| {
            json!({"type": "ListViewItem", "key": id, "gap": 3, "children": [
                {"type": "Icon", "name": "lucide:message-square", "size": "sm"},
                {"type": "Col", "children": [
                    {"type": "Text", "value": title, "weight": "semibold"},
                    {"type": "Badge", "label": "2d"},
                ]},
            ], "onClickAction": {"type": "thread.open", "payload": {"thread_id": id},
                                 "handler": "client", "loadingBehavior": "none"}})
        };
        assert_eq!(
            to_json(&history_list()),
            json!({"type": "ListView", "limit": 5,
                   "children": [item("t1", "Tea"), item("t2", "Coffee")]})
        );
    }

    #[test]
    fn none_props_are_absent_and_names_camel_case() {
        let text = WidgetComponent::from(Text::new("x"));
        assert_eq!(serde_json::to_value(&text).unwrap(), json!({"type": "Text", "value": "x"}));
        let text = Text::new("x").line_through(true).text_align(TextAlign::End).max_lines(2);
        let v = serde_json::to_value(WidgetComponent::from(text.id("t"))).unwrap();
        assert_eq!(
            v,
            json!({"type": "Text", "id": "t", "value": "x", "lineThrough": true,
                   "textAlign": "end", "maxLines": 2})
        );
        let b = Button::icon("plus").icon_size(ButtonIconSize::Xl2).on_click(ActionConfig {
            kind: "add".into(),
            payload: None,
            handler: None,
            loading: Some(LoadingBehavior::SelfOnly),
            streaming: None,
        });
        assert_eq!(
            serde_json::to_value(WidgetComponent::from(b)).unwrap(),
            json!({"type": "Button", "iconStart": "plus", "uniform": true, "iconSize": "2xl",
                   "onClickAction": {"type": "add", "loadingBehavior": "self"}})
        );
        assert_eq!(
            serde_json::to_value(WidgetComponent::from(Transition::default())).unwrap(),
            json!({"type": "Transition", "children": null})
        );
    }

    #[test]
    fn round_trip_is_identical() {
        let form = Form::new(vec![
            Label::new("Due", "due").into(),
            Input::new("title").input_type(InputType::Email).gutter_size(GutterSize::Xs2).into(),
            Select::new("p", vec![SelectOption::new("hi", "High")])
                .on_change(
                    ActionConfig::server("p.set", Value::Null).loading(LoadingBehavior::Container),
                )
                .into(),
            Transition::new(Markdown::new("**hi**").streaming(true).id("m")).into(),
            Spacer::new().min_size("2rem").into(),
        ])
        .on_submit(ActionConfig::server("todo.save", json!({"n": [1, 2.5, null]})))
        .padding(Spacing::xy(2, "1rem"))
        .border(BorderLine { size: 1, color: Some(Color::themed("#000", "#fff")), style: None })
        .width(1.5)
        .radius(Radius::Percent100);
        let roots = vec![
            fact_card(),
            history_list(),
            Card::new(vec![form.into()])
                .as_form(true)
                .status(WidgetStatus::with_favicon("Site", "https://x.test/f.ico"))
                .confirm(CardAction::new("OK", ActionConfig::server("ok", json!(null))))
                .into(),
            Basic::new(vec![fact_card().into(), Divider::new().spacing(4).into()])
                .direction(Direction::Col)
                .into(),
            ListView::new(vec![]).limit(ListLimit::Auto).into(),
        ];
        for root in roots {
            let s = serde_json::to_string(&root).unwrap();
            let back: WidgetRoot = serde_json::from_str(&s).unwrap();
            assert_eq!(back, root, "{s}");
            assert_eq!(serde_json::to_string(&back).unwrap(), s);
        }
        let bad = json!({"type": "ListView", "children": [{"type": "Text", "value": "x"}]});
        assert!(serde_json::from_value::<WidgetRoot>(bad).is_err());
    }

    #[test]
    fn copy_text_gathers_readable_text() {
        assert_eq!(copy_text(&fact_card()), "Remember this?\nLikes green tea");
        assert_eq!(copy_text(&history_list()), "Tea\n2d\nCoffee\n2d");
        let basic = Basic::new(vec![
            Caption::new("Cap").into(),
            fact_card().into(),
            Transition::new(Markdown::new("*md*")).into(),
        ]);
        assert_eq!(copy_text(&basic.into()), "Cap\nRemember this?\nLikes green tea\n*md*");
    }

    #[test]
    fn icon_names() {
        assert!(IconName::from("check-circle-filled").is_valid());
        assert!(IconName::lucide("alarm-clock").is_valid());
        assert!(!IconName::from("lucide:").is_valid() && !IconName::from("nope").is_valid());
    }
}
