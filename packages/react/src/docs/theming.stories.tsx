import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect } from 'storybook/test'
import { CashOutPanel } from '../../sandbox/cash-out'
import {
  appearanceTokens,
  scenarioArgTypes,
  scenarioDefaults,
  waitForState,
  type ScenarioArgs,
} from '../../sandbox/stories'
import type { AppearanceVariables } from '../appearance'

type Args = ScenarioArgs & Partial<AppearanceVariables>

const tokenArgTypes = Object.fromEntries(
  Object.entries(appearanceTokens).map(([token, light]) => [
    token,
    {
      control: token.startsWith('color') ? 'color' : 'text',
      description: `\`appearance.variables.${token}\`; light theme: \`${light}\``,
      table: { category: 'Appearance' },
    },
  ]),
)

const meta = {
  title: 'Theming',
  // A cash-out panel to see the tokens on.
  component: CashOutPanel,
  // The Theming page (theming.mdx) is this file's docs.
  tags: ['!autodocs'],
  args: { ...scenarioDefaults, journey: 'linked' },
  argTypes: { ...scenarioArgTypes, ...tokenArgTypes },
} satisfies Meta<Args>

export default meta
type Story = StoryObj<typeof meta>

/** A host's brand: violet, square corners, a little more room. Change any token in Controls. */
export const YourBrand: Story = {
  args: { colorPrimary: '#7c3aed', borderRadius: '0', spacing: '1.25rem' },
  play: async ({ canvasElement }) => {
    await waitForState(canvasElement, '.sf-quote', 'ready')
    const button = canvasElement.querySelector('.sf-withdraw .sf-button')!
    // The tokens reach the kit's own elements: the button paints in the brand's violet, square.
    await expect(getComputedStyle(button).backgroundColor).toBe('rgb(124, 58, 237)')
    await expect(getComputedStyle(button).borderTopLeftRadius).toBe('0px')
  },
}
