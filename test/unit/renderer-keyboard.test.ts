// Space pauses, r fires again — unless the key was typed into a field.
import { describe, expect, it } from 'vitest';
import { keyAction, type KeyInfo } from '../../src-renderer/keyboard';

const key = (k: string, more: Partial<KeyInfo> = {}): KeyInfo => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, tag: 'BODY', ...more });

describe('keyboard', () => {
  it('maps space and r', () => {
    expect(keyAction(key(' '))).toBe('pause');
    expect(keyAction(key('r'))).toBe('again');
    expect(keyAction(key('Enter', { ctrlKey: true }))).toBe('again');
    expect(keyAction(key('x'))).toBeNull();
  });

  it('leaves keys typed into fields alone, but not those on buttons and checkboxes', () => {
    expect(keyAction(key(' ', { tag: 'INPUT', inputType: 'text' }))).toBeNull();
    expect(keyAction(key('r', { tag: 'TEXTAREA' }))).toBeNull();
    expect(keyAction(key(' ', { tag: 'SELECT' }))).toBeNull();
    expect(keyAction(key('r', { tag: 'DIV', editable: true }))).toBeNull();
    expect(keyAction(key(' ', { tag: 'BUTTON' }))).toBe('pause');
    expect(keyAction(key(' ', { tag: 'INPUT', inputType: 'checkbox' }))).toBe('pause');
    expect(keyAction(key('Enter', { tag: 'TEXTAREA', ctrlKey: true }))).toBe('again');
    expect(keyAction(key('r', { ctrlKey: true }))).toBeNull();
    expect(keyAction(key(' ', { repeat: true }))).toBeNull();
  });

  it('Escape closes (the drawer, menus) from anywhere but an open drop-down list', () => {
    expect(keyAction(key('Escape'))).toBe('close');
    expect(keyAction(key('Escape', { tag: 'INPUT', inputType: 'text' }))).toBe('close');
    expect(keyAction(key('Escape', { tag: 'BUTTON' }))).toBe('close');
    expect(keyAction(key('Escape', { tag: 'SELECT' }))).toBeNull();
  });
});
