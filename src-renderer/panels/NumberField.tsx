// A labelled number box. Kept as text while typed: the form checks it as a whole (an empty or
// half-typed value is the user's to finish, not ours to correct under their cursor).
export function NumberField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  testid: string;
  title?: string;
  placeholder?: string;
  disabled?: boolean;
  /** Extra classes beside `field` (e.g. `inline`). */
  className?: string;
}) {
  return (
    <label className={props.className ? `field ${props.className}` : 'field'} title={props.title}>
      <span>{props.label}</span>
      <input
        inputMode="numeric"
        value={props.value}
        placeholder={props.placeholder}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.target.value)}
        data-testid={props.testid}
      />
    </label>
  );
}
